using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Progress;
using Megalodon.ML.Ner;
using Megalodon.ML.Runtime;

namespace Megalodon.Cli.Commands.Ner;

/// <summary><c>megalodon ner eval</c>: entity precision, recall and F1 of a saved NER model on a CoNLL file.</summary>
public sealed class NerEvalCommand : VerbCommand
{
    private readonly Option<string?> _model = CliOptions.Text("--model", "MODEL.zip", "a model saved by 'megalodon ner train'");
    private readonly Option<string?> _data = CliOptions.Text("--data", "FILE.conll", "the gold data");
    private readonly Option<bool> _lenient = CliOptions.Flag("--lenient", "repair empty words and words holding spaces (reported), instead of refusing the file");
    private readonly Option<int?> _threads = CliOptions.Threads();

    /// <summary>Creates the sub-verb.</summary>
    public NerEvalCommand() : base("eval", "Entity precision, recall and F1 (exact spans) overall and per type, and token-level macro F1.")
    {
        _model.Required = true;
        _data.Required = true;
        Add(_model);
        Add(_data);
        Add(_lenient);
        Add(_threads);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon ner eval --model MODEL.zip --data FILE.conll [--lenient]";

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable input, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        TorchDevices.ConfigureThreads(parse.GetValue(_threads));
        using var model = NerFiles.LoadModel(parse.GetValue(_model)!);
        var gold = NerFiles.ReadConll(parse.GetValue(_data)!, parse.GetValue(_lenient), error);
        var predicted = model.Predict(gold.Select(s => s.Words).ToList());
        var metrics = NerEvaluator.Evaluate(gold, predicted.Select(p => (IReadOnlyList<string>)p.Labels).ToList());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{gold.Count} sentences, {metrics.GoldEntities} gold and {metrics.PredictedEntities} predicted entities"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"entity P {100 * metrics.Precision:F1}  R {100 * metrics.Recall:F1}  F1 {100 * metrics.F1:F1}  (exact spans); token macro F1 {100 * metrics.TokenMacroF1:F1}"));
        string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture);
        ResultTable.Show(output, [new("type", 24, LeftAligned: true), new("P", 5), new("R", 5), new("F1", 5), new("gold", 6)], addRow =>
        {
            foreach (var type in metrics.PerType)
                addRow([type.Type, Percent(type.Precision), Percent(type.Recall), Percent(type.F1), type.GoldEntities.ToString(CultureInfo.InvariantCulture)]);
        });
        return 0;
    }
}
