using Megalodon.ML.Encoder;
using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Tests.Probing;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.EncoderPretraining;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Probing;
using Megalodon.ML.Transforms.Text;
using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Transforms;

/// <summary>Empty rows and long texts in the text-scoring transformers: a clear error naming the data row, or missing outputs; a token cap.</summary>
[TestClass]
public sealed class EmptyTextTests
{
    public sealed class Prediction
    {
        public float NegativeLogLikelihood { get; set; }
        [VectorType(16)] public float[] Embedding { get; set; } = [];
    }

    /// <summary>40 rows, row 37 empty: in the third batch of 16, at index 5 within it.</summary>
    private static string[] TextsWithEmptyRow37() =>
        Enumerable.Range(0, 40).Select(i => i == 37 ? "   " : $"Row {i} says something about the sea.").ToArray();

    private static MegalodonLanguageModelTransformer Model(MLContext ml, TextInputPolicy? policy = null)
    {
        var options = PretrainTestData.Options(steps: 2);
        options.Scoring = new LanguageModelScoringOptions { BatchSize = 16, TextInput = policy ?? new TextInputPolicy() };
        return ml.Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(ml));
    }

    [TestMethod]
    public void AnEmptyRowStopsTransformAndPredictionWithTheRealErrorNamingTheDataRowAndColumn()
    {
        var ml = new MLContext(seed: 1);
        using var lm = Model(ml);
        var data = PretrainTestData.TextData(ml, TextsWithEmptyRow37());
        var ex = Assert.ThrowsExactly<ArgumentException>(() => lm.Transform(data).GetColumn<float>("NegativeLogLikelihood").ToArray());
        Assert.Contains("Column 'Text' is empty or only whitespace at row 37", ex.Message);
        Assert.Contains("FilterByCustomPredicate", ex.Message);
        Assert.Contains("EmptyTextPolicy.Missing", ex.Message);

        // Read by ML.NET through a transform that asks for parallel cursors, the error is wrapped by ML.NET's worker
        // (the library is not the reader there); the real exception is the innermost one and names the data row.
        var chain = lm.Append(ml.Transforms.CopyColumns("Score", "NegativeLogLikelihood").Fit(lm.Transform(data)));
        var wrapped = Assert.Throws<Exception>(() => chain.Transform(data).GetColumn<float>("Score").ToArray());
        Assert.Contains("at row 37", Megalodon.ML.Transforms.Data.WorkerExceptions.Original(wrapped).Message);

        var engine = ml.Model.CreatePredictionEngine<PretrainTestData.TextRow, Prediction>(lm);
        engine.Predict(new PretrainTestData.TextRow { Text = "Fine." });
        ex = Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(new PretrainTestData.TextRow { Text = "" }));
        Assert.Contains("Column 'Text' is empty", ex.Message);
    }

    [TestMethod]
    public void TheMissingPolicyGivesNaNOutputsForEmptyRowsAndScoresTheOthersAsBefore()
    {
        var ml = new MLContext(seed: 1);
        using var strict = Model(ml);
        using var lenient = Model(new MLContext(seed: 1), new TextInputPolicy { EmptyText = EmptyTextPolicy.Missing });
        var texts = TextsWithEmptyRow37();
        var scored = lenient.Transform(PretrainTestData.TextData(ml, texts));
        var nll = scored.GetColumn<float>("NegativeLogLikelihood").ToArray();
        var embeddings = scored.GetColumn<float[]>("Embedding").ToArray();
        Assert.HasCount(40, nll);
        Assert.IsTrue(float.IsNaN(nll[37]));
        Assert.IsTrue(embeddings[37].All(float.IsNaN));
        var others = texts.Where((_, i) => i != 37).ToList();
        var expected = strict.Score(others).Select(s => (float)s.MeanNegativeLogLikelihood).ToArray();
        var rest = nll.Where((_, i) => i != 37).ToArray();
        for (int i = 0; i < rest.Length; i++)
            Assert.AreEqual(expected[i], rest[i], 1e-4f, $"row {i}: batches of other shapes may change the last bits only");

        var engine = ml.Model.CreatePredictionEngine<PretrainTestData.TextRow, Prediction>(lenient);
        Assert.IsTrue(float.IsNaN(engine.Predict(new PretrainTestData.TextRow { Text = "" }).NegativeLogLikelihood));

        // Steering and layer activations follow the same policy.
        using var steering = ml.Transforms.Megalodon().Steer(new SteeringEstimator.Options
        {
            LanguageModel = lenient, Layer = 0, Strength = 1, MaxNewTokens = 3, TextInput = new TextInputPolicy { EmptyText = EmptyTextPolicy.Missing },
        }).Fit(ml.Data.LoadFromEnumerable(ProbingTestData.Texts()));
        var steered = steering.Transform(PretrainTestData.TextData(ml, ["The sea.", ""]));
        Assert.IsTrue(float.IsNaN(steered.GetColumn<float>("SteeredNegativeLogLikelihood").Last()));
        Assert.AreEqual("", steered.GetColumn<ReadOnlyMemory<char>>("SteeredText").Last().ToString());
        using var layers = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options
        {
            LanguageModel = lenient, TextInput = new TextInputPolicy { EmptyText = EmptyTextPolicy.Missing },
        }).Fit(PretrainTestData.TextData(ml));
        var layer = layers.Transform(PretrainTestData.TextData(ml, ["", "The sea."])).GetColumn<float[]>("Layer1").ToArray();
        Assert.IsTrue(layer[0].All(float.IsNaN));
        Assert.IsFalse(layer[1].Any(float.IsNaN));
    }

    [TestMethod]
    public void AFitThatReadsThroughMLNetWorkersRaisesTheRealError()
    {
        var ml = new MLContext(seed: 1);
        using var lm = Model(ml);
        using var layers = ml.Transforms.Megalodon().LayerActivations(lm, layers: [0]).Fit(PretrainTestData.TextData(ml));
        var texts = ProbingTestData.Texts().Select((t, i) => i == 4 ? new ProbingTestData.LabelledText { Text = "", Label = t.Label } : t).ToArray();
        var rows = ml.Data.LoadFromEnumerable(texts);
        // LayerActivations, then an ML.NET transform (read by ML.NET's worker threads), then a probe fitted on it.
        var copied = ml.Transforms.CopyColumns("Copy", "Layer0").Fit(layers.Transform(rows));
        var probe = ml.Transforms.Megalodon().ProbeLayers(featureColumnNames: ["Copy"]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => probe.Fit(copied.Transform(layers.Transform(rows))));
        Assert.Contains("Column 'Text' is empty or only whitespace at row 4", ex.Message);
    }

    [TestMethod]
    public void SteeringAndLayerActivationsNameTheDataRowToo()
    {
        var ml = new MLContext(seed: 1);
        using var lm = Model(ml);
        var data = PretrainTestData.TextData(ml, TextsWithEmptyRow37());
        using var layers = ml.Transforms.Megalodon().LayerActivations(lm).Fit(PretrainTestData.TextData(ml));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => layers.Transform(data).GetColumn<float[]>("Layer0").ToArray());
        Assert.Contains("at row 37", ex.Message);
        using var steering = ml.Transforms.Megalodon().Steer(lm, layer: 0, strength: 1).Fit(ml.Data.LoadFromEnumerable(ProbingTestData.Texts()));
        ex = Assert.ThrowsExactly<ArgumentException>(() => steering.Transform(data).GetColumn<float>("SteeredNegativeLogLikelihood").ToArray());
        Assert.Contains("at row 37", ex.Message);
    }

    [TestMethod]
    public void MaxTokensKeepsTheChosenEndInScoresEmbeddingsAndTheEmbeddingGenerator()
    {
        var ml = new MLContext(seed: 1);
        using var full = Model(ml);
        using var keepStart = Model(new MLContext(seed: 1), new TextInputPolicy { MaxTokens = 10 });
        using var keepEnd = Model(new MLContext(seed: 1), new TextInputPolicy { MaxTokens = 10, Truncation = TokenTruncation.KeepEnd });
        const string text = "The quick brown fox jumps over the lazy dog.";   // 44 byte-level tokens
        var start = keepStart.Score([text])[0];
        var end = keepEnd.Score([text])[0];
        Assert.AreEqual(10, start.ScoredTokens);   // the end-of-text start token predicts the first of 10 tokens
        Assert.AreEqual(full.Score([text[..10]])[0].MeanNegativeLogLikelihood, start.MeanNegativeLogLikelihood, 1e-9);
        Assert.AreEqual(full.Score([text[^10..]])[0].MeanNegativeLogLikelihood, end.MeanNegativeLogLikelihood, 1e-9);
        var fromColumn = keepEnd.Transform(PretrainTestData.TextData(ml, [text])).GetColumn<float[]>("Embedding").Single();
        CollectionAssert.AreEqual(end.Embedding, fromColumn);
        var generated = ((IEmbeddingGenerator<string, Embedding<float>>)keepEnd).GenerateAsync([text]).GetAwaiter().GetResult();
        CollectionAssert.AreEqual(end.Embedding, generated[0].Vector.ToArray());
    }

    [TestMethod]
    public void ThePolicyRoundTripsThroughModelSave()
    {
        var ml = new MLContext(seed: 1);
        using var lm = Model(ml, new TextInputPolicy { EmptyText = EmptyTextPolicy.Missing, MaxTokens = 12, Truncation = TokenTruncation.KeepEnd });
        var data = PretrainTestData.TextData(ml, ["", "The quick brown fox jumps over the lazy dog."]);
        using var stream = new MemoryStream();
        ml.Model.Save(lm, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        using var reloaded = loaded.GetMegalodonLanguageModel();
        Assert.AreEqual(lm.Scoring.TextInput, reloaded.Scoring.TextInput);
        CollectionAssert.AreEqual(lm.Transform(data).GetColumn<float>("NegativeLogLikelihood").ToArray(),
            loaded.Transform(data).GetColumn<float>("NegativeLogLikelihood").ToArray());
    }

    [TestMethod]
    public void TheTextEncoderNamesTheEmptyRowOrGivesNaNEmbeddingsAndKeepsTheChosenEnd()
    {
        var ml = new MLContext(seed: 1);
        MaskedLanguageModelEstimator.Options Options(TextInputPolicy? policy) => new()
        {
            EncoderConfig = EncoderPresets.Tiny() with { NumLayers = 1, ChunkSize = 8 }, MaxSteps = 1, BatchSize = 4, Seed = 1, TextInput = policy,
        };
        var training = PretrainTestData.TextData(ml);
        var data = PretrainTestData.TextData(ml, TextsWithEmptyRow37());

        // The default: an error naming the data row (37, in the third batch), in Transform and in a PredictionEngine.
        using var strict = ml.Transforms.Megalodon().PretrainEncoder(Options(null)).Fit(training);
        Assert.AreEqual(256, strict.MaxTokens, "without a cap of its own the policy takes the options' MaxTokens");
        var ex = Assert.ThrowsExactly<ArgumentException>(() => strict.Transform(data).GetColumn<float[]>("Features").ToArray());
        Assert.Contains("Column 'Text' is empty or only whitespace at row 37", ex.Message);
        var engine = ml.Model.CreatePredictionEngine<PretrainTestData.TextRow, EncoderPrediction>(strict);
        Assert.HasCount(strict.Encoder.FeatureDim, engine.Predict(new PretrainTestData.TextRow { Text = "Fine." }).Features);
        ex = Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(new PretrainTestData.TextRow { Text = " " }));
        Assert.Contains("Column 'Text' is empty", ex.Message);

        // Missing: NaN for the empty row, the others as the encoder embeds them; a cap of 10 bytes from the end.
        var policy = new TextInputPolicy { EmptyText = EmptyTextPolicy.Missing, MaxTokens = 10, Truncation = TokenTruncation.KeepEnd };
        using var lenient = ml.Transforms.Megalodon().PretrainEncoder(Options(policy)).Fit(training);
        var features = lenient.Transform(data).GetColumn<float[]>("Features").ToArray();
        Assert.IsTrue(features[37].All(float.IsNaN));
        var texts = TextsWithEmptyRow37();
        var lastTen = EncoderEmbeddings.Mean(lenient.Encoder, texts.Select(t => t[^Math.Min(10, t.Length)..]).ToList());
        for (int i = 0; i < texts.Length; i++)
            if (i != 37) CollectionAssert.AreEqual(lastTen[i], features[i], $"row {i}: the last 10 bytes");
        var firstTen = EncoderEmbeddings.Mean(lenient.Encoder, [texts[0][..10]])[0];
        CollectionAssert.AreNotEqual(firstTen, features[0], "the start is not what was kept");

        // The policy is saved with the model.
        using var stream = new MemoryStream();
        ml.Model.Save(lenient, data.Schema, stream);
        stream.Position = 0;
        using var reloaded = (TextEncoderTransformer)new MLContext().Model.Load(stream, out _);
        Assert.AreEqual(policy, reloaded.TextInput);
        Assert.IsTrue(reloaded.Transform(data).GetColumn<float[]>("Features").ElementAt(37).All(float.IsNaN));
    }

    public sealed class EncoderPrediction
    {
        public float[] Features { get; set; } = [];
    }
}
