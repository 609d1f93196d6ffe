// The consumer test's app (tests/consumer/run.sh copies it into a fresh console project that takes Megalodon from the
// packed packages): what a new user writes, per the README's "Use it in your app".
//   fit <model.zip>      pretrains a tiny model on a few strings, saves it, and writes the expected score beside it
//   predict <model.zip>  in a new process: loads the model and scores through a PredictionEngine
using System.Globalization;
using System.Reflection;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

const string Probe = "The quick brown fox jumps over the lazy dog.";
string[] documents =
[
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs.",
    "How vexingly quick daft zebras jump!",
    "Sphinx of black quartz, judge my vow.",
];

if (args is not [var verb, var modelPath] || verb is not ("fit" or "predict"))
{
    Console.Error.WriteLine("usage: consumer fit|predict <model.zip>");
    return 2;
}
string expectedPath = modelPath + ".expected";
// Microsoft.ML's assembly version is 1.0.0.0 in every release; the informational version names the package.
string? mlnetVersion = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
Console.WriteLine($"Microsoft.ML {mlnetVersion}");

if (verb == "fit")
{
    var ml = new MLContext(seed: 1);
    IDataView data = ml.Data.LoadFromEnumerable(documents.Select(t => new Document { Text = t }));
    var estimator = ml.Transforms.Megalodon().Pretrain(new MegalodonPretrainEstimator.Options
    {
        TextColumnName = "Text",
        Preset = "tiny",
        Tokenizer = ModelTokenizer.ByteLevel(),
        SequenceLength = 32,
        BatchSize = 2,
        MaxSteps = 4,
        WarmupSteps = 1,
        ValidationFraction = 0,
        EvalInterval = 0,
        Seed = 7,
    });
    using var model = estimator.Fit(data);
    ml.Model.Save(model, data.Schema, modelPath);
    float expected = model.Transform(ml.Data.LoadFromEnumerable(new[] { new Document { Text = Probe } }))
        .GetColumn<float>("NegativeLogLikelihood").Single();
    File.WriteAllText(expectedPath, expected.ToString("R", CultureInfo.InvariantCulture));
    Console.WriteLine($"fit: saved {modelPath} ({new FileInfo(modelPath).Length} bytes); probe NLL {expected}");
    return 0;
}

var context = new MLContext();
ITransformer loaded = context.Model.Load(modelPath, out _);
try
{
    using var engine = context.Model.CreatePredictionEngine<Document, Score>(loaded);
    Score score = engine.Predict(new Document { Text = Probe });
    float wanted = float.Parse(File.ReadAllText(expectedPath), CultureInfo.InvariantCulture);
    Console.WriteLine($"predict: NLL {score.NegativeLogLikelihood}, perplexity {score.Perplexity}, embedding of {score.Embedding.Length}; the fitting process saw {wanted}");
    bool same = Math.Abs(score.NegativeLogLikelihood - wanted) <= 1e-5f && float.IsFinite(score.Perplexity) && score.Embedding.Length > 0;
    if (!same) Console.Error.WriteLine("predict: the reloaded model does not score as the fitted one did");
    return same ? 0 : 1;
}
finally
{
    (loaded as IDisposable)?.Dispose();
}

/// <summary>An input row.</summary>
public sealed class Document
{
    /// <summary>The text to score.</summary>
    public string Text { get; set; } = "";
}

/// <summary>The language model's output columns.</summary>
public sealed class Score
{
    /// <summary>Mean negative log-likelihood per token.</summary>
    public float NegativeLogLikelihood { get; set; }

    /// <summary>Perplexity.</summary>
    public float Perplexity { get; set; }

    /// <summary>The text's embedding.</summary>
    public float[] Embedding { get; set; } = [];
}
