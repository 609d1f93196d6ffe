using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Progress;
using Megalodon.ML.Inference;
using Megalodon.Reports;
using Megalodon.ML.Runtime;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon perplexity</c>: the long-context evaluation of a saved model on one document. Prints perplexity per
/// context length and writes <c>perplexity_vs_context.csv</c> and <c>perplexity_vs_context.png</c>.
/// </summary>
public sealed class PerplexityCommand : VerbCommand
{
    /// <summary>The CSV written to the output folder.</summary>
    public const string CsvFileName = "perplexity_vs_context.csv";

    /// <summary>The chart written to the output folder.</summary>
    public const string PngFileName = "perplexity_vs_context.png";

    /// <summary>Context lengths tried when <c>--context-lengths</c> is not given.</summary>
    public static readonly IReadOnlyList<int> DefaultContextLengths = [256, 512, 1024, 2048];

    /// <summary>The output folder when <c>--out</c> is not given, relative to the current folder.</summary>
    public static readonly string DefaultOutput = Path.Combine("runs", "perplexity");

    private readonly Option<string?> _model = CliOptions.Text("--model", "FILE", "the saved model (.zip)");
    private readonly Option<string?> _data = CliOptions.Text("--data", "FILE", "the document; it must hold at least as many tokens as the longest context");
    private readonly Option<int[]?> _lengths = CliOptions.List<int>("--context-lengths", "LIST",
        $"comma-separated window lengths (default: {string.Join(",", DefaultContextLengths)})", t => CliOptions.ParseInt(t) is > 0 and var n ? n : null, "positive integers");
    private readonly Option<string?> _out = CliOptions.Text("--out", "DIR", $"output folder (default: {DefaultOutput})");
    private readonly Option<int?> _threads = CliOptions.Threads();

    /// <summary>Creates the verb.</summary>
    public PerplexityCommand() : base("perplexity", "Perplexity of one long document against the context length a saved model may use.")
    {
        _model.Required = true;
        _data.Required = true;
        foreach (var option in new Option[] { _model, _data, _lengths, _out, _threads })
            Add(option);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon perplexity --model FILE --data FILE [--context-lengths N,N,...] [--out DIR]";

    /// <inheritdoc />
    public override string Details =>
        $"""
        Tokenises the document with the model's tokenizer and, for each context length c, reads it in
        independent windows of c tokens; every length scores the same tokens, so a model that uses long
        context shows falling perplexity. Prints a table and writes {CsvFileName} and
        {PngFileName} (log2 x axis) to the output folder.
        """;

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable model or document, or a document too short, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var modelPath = parse.GetValue(_model)!;
        var dataPath = parse.GetValue(_data)!;
        IReadOnlyList<int> lengths = parse.GetValue(_lengths) is { Length: > 0 } given ? given.Distinct().Order().ToList() : DefaultContextLengths;
        var outFolder = parse.GetValue(_out) ?? DefaultOutput;
        int? threads = parse.GetValue(_threads);

        if (!File.Exists(dataPath)) throw new CommandFailedException($"document '{dataPath}' not found.");
        TorchDevices.ConfigureThreads(threads);
        using var model = LanguageModelFile.Load(modelPath);
        var document = model.Tokenizer.Encode(File.ReadAllText(dataPath));
        int longest = lengths.Max();
        if (document.Count < longest)
            throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                $"document '{dataPath}' has {document.Count} tokens (model tokenizer), fewer than the longest context length {longest}; give a longer document or shorter --context-lengths."));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(dataPath)}: {document.Count} tokens"));
        IReadOnlyList<ContextLengthPoint> points = [];
        ResultTable.Show(output, [new("context", 8), new("perplexity", 12), new("scored tokens", 13)], addRow =>
        {
            var progress = new SynchronousProgress<ContextLengthPoint>(p => addRow(
            [
                p.ContextLength.ToString(CultureInfo.InvariantCulture),
                p.Perplexity.ToString("F3", CultureInfo.InvariantCulture),
                p.ScoredTokens.ToString(CultureInfo.InvariantCulture),
            ]));
            points = LongContextEvaluator.Evaluate(model.Model, document, lengths, model.Tokenizer.EndOfTextId, progress);
        });

        Directory.CreateDirectory(outFolder);
        var csv = new CsvTable(["context_length", "perplexity", "scored_tokens"]);
        foreach (var p in points) csv.AddRow(p.ContextLength, p.Perplexity, p.ScoredTokens);
        var csvPath = Path.Combine(outFolder, CsvFileName);
        csv.Save(csvPath);
        var chart = new LineChart("Perplexity vs context length")
        {
            XLabel = "context length (tokens)",
            YLabel = "perplexity",
            XScale = AxisScale.Log2,
        };
        chart.AddSeries(Path.GetFileName(modelPath), points.Select(p => (double)p.ContextLength).ToList(), points.Select(p => p.Perplexity).ToList());
        var pngPath = Path.Combine(outFolder, PngFileName);
        chart.Save(pngPath);
        output.WriteLine($"wrote {Path.GetFullPath(csvPath)}");
        output.WriteLine($"wrote {Path.GetFullPath(pngPath)}");
        return 0;
    }
}
