using System.Globalization;
using Megalodon.ML.Generation;
using Megalodon.ML.Probing;
using Megalodon.ML.Reporting;
using Megalodon.ML.Runtime;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon steer</c>: computes a steering vector at one layer from a labelled CSV and, for each strength, scores the
/// texts and generates from prompts with it. Writes <c>steering_scores.csv</c>, <c>steering_generations.csv</c>,
/// <c>steering_vector.csv</c> and a chart of the mean NLL against the strength.
/// </summary>
public sealed class SteerCommand : ICliCommand
{
    private const string ModelOption = "--model";
    private const string DataOption = "--data";
    private const string TextOption = "--text-column";
    private const string LabelOption = "--label-column";
    private const string LayerOption = "--layer";
    private const string AlphasOption = "--alphas";
    private const string PositionOption = "--position";
    private const string SourceOption = "--source-checkpoint";
    private const string PromptOption = "--prompt";
    private const string MaxTokensOption = "--max-tokens";
    private const string MaxRowsOption = "--max-rows";
    private const string OutOption = "--out";
    private const string ThreadsOption = "--threads";

    /// <summary>Strengths tried when <c>--alphas</c> is not given.</summary>
    public static readonly IReadOnlyList<double> DefaultAlphas = [-4, -1, 0, 1, 4];

    /// <summary>The output folder when <c>--out</c> is not given.</summary>
    public static readonly string DefaultOutput = Path.Combine("runs", "steer");

    /// <inheritdoc />
    public string Name => "steer";

    /// <inheritdoc />
    public string Summary => "Steer a saved model at one layer with a vector from labelled texts: scores and generations per strength.";

    /// <inheritdoc />
    public string Usage =>
        $"""
        Usage: megalodon steer --model FILE --data FILE --layer L [options]

        The vector is the difference of the class means of the layer's last-token outputs over the first half
        of the file (label true minus false), unit-normalised and scaled by the std of the projections, as the
        TracingLLM paper. For each strength alpha it is added at the layer (at the last position by default):
        the texts are scored and each prompt is continued greedily.

        Options:
          --model FILE               the saved language model (.zip) that is steered
          --data FILE                a CSV with a header, e.g. statement,label
          --text-column NAME         the text column's header (default: statement)
          --label-column NAME        the label column's header (default: label)
          --layer L                  the layer (0-based)
          --alphas LIST              comma-separated strengths (default: {string.Join(",", DefaultAlphas.Select(a => a.ToString(CultureInfo.InvariantCulture)))})
          --position P               last or every (default: last; at the last position the scores
                                     cannot move, since that position predicts no scored token)
          --source-checkpoint DIR    a step checkpoint (same config) whose activations give the vector
          --prompt TEXT              a prompt to continue; repeatable (default: the last three texts of the file)
          --max-tokens N             tokens generated per prompt (default: 40)
          --max-rows N               read at most N rows (default: all)
          --out DIR                  output folder (default: {DefaultOutput})
          --threads N                torch threads (default: MEGALODON_THREADS, else 1)

        Exit code: 0 success, 1 unreadable model or data, or a layer out of range, 2 bad arguments.

        """;

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var o = CommandOptions.Parse(args, [ModelOption, DataOption, TextOption, LabelOption, LayerOption, AlphasOption, PositionOption, SourceOption,
            MaxTokensOption, MaxRowsOption, OutOption, ThreadsOption], repeatableOptions: [PromptOption]);
        if (o.Positionals.Count > 0) throw new UsageException($"Unexpected argument '{o.Positionals[0]}'.");
        var modelPath = o.Value(ModelOption) ?? throw new UsageException($"Missing {ModelOption} FILE.");
        var dataPath = o.Value(DataOption) ?? throw new UsageException($"Missing {DataOption} FILE.");
        int layer = o.IntOrNull(LayerOption, min: 0) ?? throw new UsageException($"Missing {LayerOption} L.");
        var alphas = o.Value(AlphasOption) is { } text ? ParseAlphas(text) : DefaultAlphas;
        var position = o.Choice(PositionOption, "last", "last", "every") == "every" ? SteeringPosition.Every : SteeringPosition.Last;
        int maxTokens = o.Int(MaxTokensOption, 40, min: 1, max: 100_000);
        int maxRows = o.Int(MaxRowsOption, 0, min: 0);
        var outFolder = o.Value(OutOption) ?? DefaultOutput;
        TorchDevices.ConfigureThreads(o.IntOrNull(ThreadsOption, min: 1, max: 1024));

        var ml = new MLContext(seed: 0);
        var (data, _) = LabelledTextFile.Load(ml, dataPath, o.Value(TextOption) ?? "statement", o.Value(LabelOption) ?? "label", maxRows);
        var texts = data.GetColumn<ReadOnlyMemory<char>>(LabelledTextFile.TextColumn).Select(t => t.ToString()).ToList();
        var prompts = o.Values(PromptOption).Count > 0 ? o.Values(PromptOption) : texts.TakeLast(3).ToList();
        using var model = LanguageModelFile.Load(modelPath);

        var scores = new CsvTable(["alpha", "mean_nll"]);
        var generations = new CsvTable(["alpha", "prompt", "continuation"]);
        SteeringVector? vector = null;
        try
        {
            foreach (double alpha in alphas)
            {
                using var steering = ml.Transforms.Megalodon().Steer(new SteeringEstimator.Options
                {
                    LanguageModel = model, SourceCheckpointFolder = o.Value(SourceOption), Layer = layer, Strength = alpha, Position = position,
                    TextColumnName = LabelledTextFile.TextColumn, LabelColumnName = LabelledTextFile.LabelColumn,
                }).Fit(data);
                vector ??= steering.Steering.Vector;
                double meanNll = steering.Score(texts).Average(s => s.MeanNegativeLogLikelihood);
                scores.AddRow(alpha, meanNll);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"alpha {alpha,6:G4}: mean NLL {meanNll:F4} nats/token"));
                foreach (var prompt in prompts)
                {
                    string continuation = steering.Generate(prompt, new GenerationOptions { MaxTokens = maxTokens, Temperature = 0 });
                    generations.AddRow(alpha, prompt, continuation);
                    output.WriteLine($"  {prompt.ReplaceLineEndings(" ")} -> {continuation.ReplaceLineEndings(" ")}");
                }
            }
        }
        catch (ArgumentException ex)
        {
            throw new CommandFailedException(ex.Message);
        }

        Directory.CreateDirectory(outFolder);
        scores.Save(Path.Combine(outFolder, "steering_scores.csv"));
        generations.Save(Path.Combine(outFolder, "steering_generations.csv"));
        var vectorTable = new CsvTable(["layer", "scale", "dimension", "direction"]);
        for (int i = 0; i < vector!.Direction.Count; i++) vectorTable.AddRow(vector.Layer, vector.Scale, i, vector.Direction[i]);
        vectorTable.Save(Path.Combine(outFolder, "steering_vector.csv"));
        var chart = new LineChart($"Mean NLL under steering at layer {layer}") { XLabel = "alpha", YLabel = "mean NLL (nats/token)" };
        chart.AddSeries(Path.GetFileName(dataPath), alphas.ToList(), scores.Rows.Select((_, i) => scores.GetDouble(i, "mean_nll")).ToList());
        chart.Save(Path.Combine(outFolder, "steering_scores.png"));
        output.WriteLine($"wrote {Path.GetFullPath(outFolder)}");
        return 0;
    }

    private static IReadOnlyList<double> ParseAlphas(string text)
    {
        var alphas = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double alpha) || !double.IsFinite(alpha))
                throw new UsageException($"Option {AlphasOption} needs numbers separated by commas (got '{part}').");
            alphas.Add(alpha);
        }
        if (alphas.Count == 0) throw new UsageException($"Option {AlphasOption} needs at least one strength.");
        return alphas;
    }
}
