using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Progress;
using Megalodon.ML.Probing;
using Megalodon.ML.Runtime;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Probing;
using Megalodon.Reports;
using Microsoft.ML;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon probe</c>: linear probes per layer (and per checkpoint of a pretraining run) on a labelled CSV. Prints
/// held-out accuracy per checkpoint and layer and writes <c>probe_table.csv</c>, an accuracy heatmap and, with
/// checkpoints, the nHSIC information curves.
/// </summary>
public sealed class ProbeCommand : VerbCommand
{
    /// <summary>The table written to the output folder.</summary>
    public const string CsvFileName = "probe_table.csv";

    /// <summary>The accuracy heatmap written to the output folder.</summary>
    public const string HeatmapFileName = "probe_accuracy.png";

    /// <summary>The output folder when <c>--out</c> is not given.</summary>
    public static readonly string DefaultOutput = Path.Combine("runs", "probe");

    private readonly Option<string?> _model = CliOptions.Text("--model", "FILE", "a saved language model (.zip)");
    private readonly Option<string?> _checkpoints = CliOptions.Text("--checkpoints", "DIR", "a pretraining run's checkpoint folder (its step-NNNNNN checkpoints)");
    private readonly Option<string?> _data = CliOptions.Text("--data", "FILE", "a CSV with a header, e.g. statement,label (labels 0/1 or true/false)");
    private readonly Option<string?> _textColumn = CliOptions.Text("--text-column", "NAME", "the text column's header (default: statement)");
    private readonly Option<string?> _labelColumn = CliOptions.Text("--label-column", "NAME", "the label column's header (default: label)");
    private readonly Option<int[]?> _layers = CliOptions.List<int>("--layers", "LIST", "comma-separated layers (default: all)",
        t => CliOptions.ParseInt(t) is >= 0 and var n ? n : null, "non-negative integers");
    private readonly Option<string?> _position = CliOptions.Choice("--position", "last or mean (default: last)", "last", "mean");
    private readonly Option<double?> _testFraction = CliOptions.Number("--test-fraction", "share of trailing rows held out, below 1 (default: 0.2)", min: 0, max: 1, minExclusive: true, helpName: "F");
    private readonly Option<int?> _maxRows = CliOptions.Int("--max-rows", "read at most N rows (default: all)", min: 0);
    private readonly Option<int?> _miRows = CliOptions.Int("--mi-rows", "training rows in the nHSIC estimates; 0 skips them (default: 512)", min: 0);
    private readonly Option<string?> _out = CliOptions.Text("--out", "DIR", $"output folder (default: {DefaultOutput})");
    private readonly Option<int?> _threads = CliOptions.Threads();

    /// <summary>Creates the verb.</summary>
    public ProbeCommand() : base("probe", "Linear probes per layer (and per pretraining checkpoint) on a labelled CSV: accuracy, AUC, nHSIC.")
    {
        _data.Required = true;
        foreach (var option in new Option[] { _model, _checkpoints, _data, _textColumn, _labelColumn, _layers, _position, _testFraction, _maxRows, _miRows, _out, _threads })
            Add(option);
        CliOptions.ExactlyOne(this, _model, _checkpoints);
        Validators.Add(r =>
        {
            if (CliOptions.Value(r, _testFraction) >= 1) r.AddError("Option --test-fraction must be below 1.");
        });
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon probe (--model FILE | --checkpoints DIR) --data FILE [options]";

    /// <inheritdoc />
    public override string Details =>
        $"""
        Reads each text's layer outputs (last token by default), trains one standardised L-BFGS logistic
        regression per layer on the first rows of the file (standardised with their statistics only), and
        reports accuracy and AUC on the remaining rows. With --checkpoints, every step checkpoint of a
        pretraining run is probed, and the nHSIC estimates of I(X;T) and I(Y;T) are added.
        Writes {CsvFileName}, {HeatmapFileName} and, with checkpoints, probe_ixt.png and probe_iyt.png.
        """;

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable model, checkpoints or data, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var modelPath = parse.GetValue(_model);
        var runFolder = parse.GetValue(_checkpoints);
        var dataPath = parse.GetValue(_data)!;
        // An absent list option reads as an empty array.
        var layers = parse.GetValue(_layers) is { Length: > 0 } chosen ? chosen : null;
        var position = parse.GetValue(_position) == "mean" ? ActivationPosition.Mean : ActivationPosition.Last;
        double testFraction = parse.GetValue(_testFraction) ?? 0.2;
        int maxRows = parse.GetValue(_maxRows) ?? 0;
        int miRows = parse.GetValue(_miRows) ?? 512;
        var outFolder = parse.GetValue(_out) ?? DefaultOutput;
        TorchDevices.ConfigureThreads(parse.GetValue(_threads));

        var ml = new MLContext(seed: 0);
        var (data, rows) = LabelledTextFile.Load(ml, dataPath, parse.GetValue(_textColumn) ?? "statement", parse.GetValue(_labelColumn) ?? "label", maxRows);
        long trainRows = (long)Math.Round(rows * (1 - testFraction));
        if (trainRows < 1 || trainRows >= rows) throw new CommandFailedException($"{rows} rows cannot be split with test fraction {testFraction}.");
        string dataset = Path.GetFileNameWithoutExtension(dataPath);
        var table = new CheckpointLayerTable();
        try
        {
            if (modelPath is not null)
            {
                using var model = LanguageModelFile.Load(modelPath);
                using var activations = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options
                {
                    LanguageModel = model, Layers = layers, Position = position, TextColumnName = LabelledTextFile.TextColumn,
                }).Fit(data);
                // One network: the information terms need layer 0 and are about change across checkpoints, so they are skipped.
                table.AddProbes(ml, activations, dataset, data, trainRows, LabelledTextFile.LabelColumn, informationRows: 0);
            }
            else
            {
                foreach (var folder in ProbingCheckpoints.StepFolders(runFolder!))
                {
                    using var activations = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options
                    {
                        CheckpointFolders = [folder], Layers = layers, Position = position, TextColumnName = LabelledTextFile.TextColumn,
                    }).Fit(data);
                    bool withInformation = miRows > 0 && activations.Columns.Any(c => c.Layer == 0);
                    table.AddProbes(ml, activations, dataset, data, trainRows, LabelledTextFile.LabelColumn, withInformation ? miRows : 0);
                    output.WriteLine($"probed {Path.GetFileName(folder)}");
                }
            }
        }
        catch (ArgumentException ex)
        {
            throw new CommandFailedException(ex.Message);
        }

        PrintTable(table, output);
        Directory.CreateDirectory(outFolder);
        table.ToCsv().Save(Path.Combine(outFolder, CsvFileName));
        table.Heatmap(dataset, r => r.Accuracy, $"{dataset}: held-out probe accuracy").Save(Path.Combine(outFolder, HeatmapFileName));
        if (table.Rows.Any(r => !double.IsNaN(r.InputInformation)))
        {
            var (ixt, iyt) = table.InformationCharts(dataset);
            ixt.Save(Path.Combine(outFolder, "probe_ixt.png"));
            iyt.Save(Path.Combine(outFolder, "probe_iyt.png"));
        }
        output.WriteLine($"wrote {Path.GetFullPath(Path.Combine(outFolder, CsvFileName))}");
        return 0;
    }

    private static void PrintTable(CheckpointLayerTable table, TextWriter output)
    {
        var layers = table.Rows.Select(r => r.Layer).Distinct().Order().ToList();
        var columns = new List<ResultTable.Column> { new("checkpoint", 12, LeftAligned: true) };
        columns.AddRange(layers.Select(l => new ResultTable.Column("layer " + l.ToString(CultureInfo.InvariantCulture), 8)));
        ResultTable.Show(output, columns, addRow =>
        {
            foreach (var group in table.Rows.GroupBy(r => r.Checkpoint))
                addRow([group.Key, .. layers.Select(l => group.First(r => r.Layer == l).Accuracy.ToString("F3", CultureInfo.InvariantCulture))]);
        });
    }
}
