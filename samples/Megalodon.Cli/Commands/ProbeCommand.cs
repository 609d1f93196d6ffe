using System.Globalization;
using Megalodon.ML.Probing;
using Megalodon.ML.Runtime;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon probe</c>: linear probes per layer (and per checkpoint of a pretraining run) on a labelled CSV. Prints
/// held-out accuracy per checkpoint and layer and writes <c>probe_table.csv</c>, an accuracy heatmap and, with
/// checkpoints, the nHSIC information curves.
/// </summary>
public sealed class ProbeCommand : ICliCommand
{
    private const string ModelOption = "--model";
    private const string CheckpointsOption = "--checkpoints";
    private const string DataOption = "--data";
    private const string TextOption = "--text-column";
    private const string LabelOption = "--label-column";
    private const string LayersOption = "--layers";
    private const string PositionOption = "--position";
    private const string TestFractionOption = "--test-fraction";
    private const string MaxRowsOption = "--max-rows";
    private const string MiRowsOption = "--mi-rows";
    private const string OutOption = "--out";
    private const string ThreadsOption = "--threads";

    /// <summary>The table written to the output folder.</summary>
    public const string CsvFileName = "probe_table.csv";

    /// <summary>The accuracy heatmap written to the output folder.</summary>
    public const string HeatmapFileName = "probe_accuracy.png";

    /// <summary>The output folder when <c>--out</c> is not given.</summary>
    public static readonly string DefaultOutput = Path.Combine("runs", "probe");

    /// <inheritdoc />
    public string Name => "probe";

    /// <inheritdoc />
    public string Summary => "Linear probes per layer (and per pretraining checkpoint) on a labelled CSV: accuracy, AUC, nHSIC.";

    /// <inheritdoc />
    public string Usage =>
        $"""
        Usage: megalodon probe (--model FILE | --checkpoints DIR) --data FILE [options]

        Reads each text's layer outputs (last token by default), trains one standardised L-BFGS logistic
        regression per layer on the first rows of the file (standardised with their statistics only), and
        reports accuracy and AUC on the remaining rows. With --checkpoints, every step checkpoint of a
        pretraining run is probed, and the nHSIC estimates of I(X;T) and I(Y;T) are added.
        Writes {CsvFileName}, {HeatmapFileName} and, with checkpoints, probe_ixt.png and probe_iyt.png.

        Options:
          --model FILE          a saved language model (.zip)
          --checkpoints DIR     a pretraining run's checkpoint folder (its step-NNNNNN checkpoints)
          --data FILE           a CSV with a header, e.g. statement,label (labels 0/1 or true/false)
          --text-column NAME    the text column's header (default: statement)
          --label-column NAME   the label column's header (default: label)
          --layers LIST         comma-separated layers (default: all)
          --position P          last or mean (default: last)
          --test-fraction F     share of trailing rows held out (default: 0.2)
          --max-rows N          read at most N rows (default: all)
          --mi-rows N           training rows in the nHSIC estimates; 0 skips them (default: 512)
          --out DIR             output folder (default: {DefaultOutput})
          --threads N           torch threads (default: MEGALODON_THREADS, else 1)

        Exit code: 0 success, 1 unreadable model, checkpoints or data, 2 bad arguments.

        """;

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var o = CommandOptions.Parse(args, [ModelOption, CheckpointsOption, DataOption, TextOption, LabelOption, LayersOption, PositionOption,
            TestFractionOption, MaxRowsOption, MiRowsOption, OutOption, ThreadsOption]);
        if (o.Positionals.Count > 0) throw new UsageException($"Unexpected argument '{o.Positionals[0]}'.");
        var modelPath = o.Value(ModelOption);
        var runFolder = o.Value(CheckpointsOption);
        if ((modelPath is null) == (runFolder is null)) throw new UsageException($"Give exactly one of {ModelOption} FILE and {CheckpointsOption} DIR.");
        var dataPath = o.Value(DataOption) ?? throw new UsageException($"Missing {DataOption} FILE.");
        var layers = o.Value(LayersOption) is { } text ? ParseLayers(text) : null;
        var position = o.Choice(PositionOption, "last", "last", "mean") == "mean" ? ActivationPosition.Mean : ActivationPosition.Last;
        double testFraction = o.Double(TestFractionOption, 0.2, 0, 1, minExclusive: true);
        if (testFraction >= 1) throw new UsageException($"Option {TestFractionOption} must be below 1.");
        int maxRows = o.Int(MaxRowsOption, 0, min: 0);
        int miRows = o.Int(MiRowsOption, 512, min: 0);
        var outFolder = o.Value(OutOption) ?? DefaultOutput;
        TorchDevices.ConfigureThreads(o.IntOrNull(ThreadsOption, min: 1, max: 1024));

        var ml = new MLContext(seed: 0);
        var (data, rows) = LabelledTextFile.Load(ml, dataPath, o.Value(TextOption) ?? "statement", o.Value(LabelOption) ?? "label", maxRows);
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
        output.WriteLine($"{"checkpoint",-14}" + string.Concat(layers.Select(l => $"{"layer " + l,10}")));
        foreach (var group in table.Rows.GroupBy(r => r.Checkpoint))
            output.WriteLine($"{group.Key,-14}" + string.Concat(layers.Select(l => string.Create(CultureInfo.InvariantCulture, $"{group.First(r => r.Layer == l).Accuracy,10:F3}"))));
    }

    private static int[] ParseLayers(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var layers = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int layer) || layer < 0)
                throw new UsageException($"Option {LayersOption} needs non-negative integers separated by commas (got '{part}').");
            layers.Add(layer);
        }
        if (layers.Count == 0) throw new UsageException($"Option {LayersOption} needs at least one layer.");
        return [.. layers];
    }
}
