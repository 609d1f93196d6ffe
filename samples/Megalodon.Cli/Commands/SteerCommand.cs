using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Generation;
using Megalodon.ML.Probing;
using Megalodon.Reports;
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
public sealed class SteerCommand : VerbCommand
{
    /// <summary>Strengths tried when <c>--alphas</c> is not given.</summary>
    public static readonly IReadOnlyList<double> DefaultAlphas = [-4, -1, 0, 1, 4];

    /// <summary>The output folder when <c>--out</c> is not given.</summary>
    public static readonly string DefaultOutput = Path.Combine("runs", "steer");

    private readonly Option<string?> _model = CliOptions.Text("--model", "FILE", "the saved language model (.zip) that is steered");
    private readonly Option<string?> _data = CliOptions.Text("--data", "FILE", "a CSV with a header, e.g. statement,label");
    private readonly Option<string?> _textColumn = CliOptions.Text("--text-column", "NAME", "the text column's header (default: statement)");
    private readonly Option<string?> _labelColumn = CliOptions.Text("--label-column", "NAME", "the label column's header (default: label)");
    private readonly Option<int?> _layer = CliOptions.Int("--layer", "the layer (0-based)", min: 0, helpName: "L");
    private readonly Option<double[]?> _alphas = CliOptions.List("--alphas", "LIST",
        $"comma-separated strengths (default: {string.Join(",", DefaultAlphas.Select(a => a.ToString(CultureInfo.InvariantCulture)))})", CliOptions.ParseNumber, "numbers");
    private readonly Option<string?> _position = CliOptions.Choice("--position",
        "last or every (default: last; at the last position the scores cannot move, since that position predicts no scored token)", "last", "every");
    private readonly Option<string?> _source = CliOptions.Text("--source-checkpoint", "DIR", "a step checkpoint (same config) whose activations give the vector");
    private readonly Option<string[]> _prompt = CliOptions.Repeated("--prompt", "TEXT", "a prompt to continue; repeatable (default: the last three texts of the file)");
    private readonly Option<int?> _maxTokens = CliOptions.Int("--max-tokens", "tokens generated per prompt (default: 40)", min: 1, max: 100_000);
    private readonly Option<int?> _maxRows = CliOptions.Int("--max-rows", "read at most N rows (default: all)", min: 0);
    private readonly Option<string?> _out = CliOptions.Text("--out", "DIR", $"output folder (default: {DefaultOutput})");
    private readonly Option<int?> _threads = CliOptions.Threads();

    /// <summary>Creates the verb.</summary>
    public SteerCommand() : base("steer", "Steer a saved model at one layer with a vector from labelled texts: scores and generations per strength.")
    {
        _model.Required = true;
        _data.Required = true;
        _layer.Required = true;
        foreach (var option in new Option[] { _model, _data, _textColumn, _labelColumn, _layer, _alphas, _position, _source, _prompt, _maxTokens, _maxRows, _out, _threads })
            Add(option);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon steer --model FILE --data FILE --layer L [options]";

    /// <inheritdoc />
    public override string Details =>
        """
        The vector is the difference of the class means of the layer's last-token outputs over the first half
        of the file (label true minus false), unit-normalised and scaled by the std of the projections, as the
        TracingLLM paper. For each strength alpha it is added at the layer (at the last position by default):
        the texts are scored and each prompt is continued greedily.
        """;

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable model or data, or a layer out of range, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var modelPath = parse.GetValue(_model)!;
        var dataPath = parse.GetValue(_data)!;
        int layer = parse.GetValue(_layer)!.Value;
        IReadOnlyList<double> alphas = parse.GetValue(_alphas) is { Length: > 0 } strengths ? strengths : DefaultAlphas;
        var position = parse.GetValue(_position) == "every" ? SteeringPosition.Every : SteeringPosition.Last;
        int maxTokens = parse.GetValue(_maxTokens) ?? 40;
        int maxRows = parse.GetValue(_maxRows) ?? 0;
        var outFolder = parse.GetValue(_out) ?? DefaultOutput;
        TorchDevices.ConfigureThreads(parse.GetValue(_threads));

        var ml = new MLContext(seed: 0);
        var (data, _) = LabelledTextFile.Load(ml, dataPath, parse.GetValue(_textColumn) ?? "statement", parse.GetValue(_labelColumn) ?? "label", maxRows);
        var texts = data.GetColumn<ReadOnlyMemory<char>>(LabelledTextFile.TextColumn).Select(t => t.ToString()).ToList();
        IReadOnlyList<string> prompts = parse.GetValue(_prompt) is { Length: > 0 } given ? given : texts.TakeLast(3).ToList();
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
                    LanguageModel = model, SourceCheckpointFolder = parse.GetValue(_source), Layer = layer, Strength = alpha, Position = position,
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
}
