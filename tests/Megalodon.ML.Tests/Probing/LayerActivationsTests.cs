using Megalodon.ML.Probing;
using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Probing;

[TestClass]
public sealed class LayerActivationsTests
{
    private static float[][] Column(IDataView data, string name) =>
        data.GetColumn<VBuffer<float>>(name).Select(v => v.DenseValues().ToArray()).ToArray();

    [TestMethod]
    public void OneColumnPerLayerMatchesTheExtractorAndSurvivesSaveLoad()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var texts = ml.Data.LoadFromEnumerable(ProbingTestData.Texts());
        using var activations = ml.Transforms.Megalodon().LayerActivations(lm, position: ActivationPosition.Mean).Fit(texts);
        var output = activations.Transform(texts);
        CollectionAssert.AreEqual(new[] { "Layer0", "Layer1" }, activations.Columns.Select(c => c.Name).ToArray());
        var layer1 = Column(output, "Layer1");
        Assert.HasCount(6, layer1);
        Assert.HasCount(16, layer1[0]);

        // Batched (BatchSize 16 → one batch of 6, padded) equals one text at a time.
        var single = new LayerActivationExtractor(lm.Model, [1], ActivationPosition.Mean, lm.Tokenizer.EndOfTextId)
            .Extract([lm.Tokenizer.Encode(ProbingTestData.Texts()[3].Text)]).Values[0][0];
        for (int d = 0; d < 16; d++) Assert.AreEqual(single[d], layer1[3][d], 1e-5f, $"dim {d}");

        using var stream = new MemoryStream();
        ml.Model.Save(activations, texts.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        var reloaded = Column(loaded.Transform(texts), "Layer1");
        for (int r = 0; r < 6; r++) CollectionAssert.AreEqual(layer1[r], reloaded[r], $"row {r}");
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void LayerIndexOutOfRangeIsRejected()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Megalodon().LayerActivations(lm, layers: [0, 2]));
        Assert.Contains("Layer index 2 is out of range: the model has 2 layers, 0 to 1", ex.Message);
        ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Megalodon().Steer(lm, layer: -1, strength: 1));
        Assert.Contains("Layer index -1 is out of range", ex.Message);
    }

    [TestMethod]
    public void CheckpointsGiveOneColumnPerCheckpointAndLayerAndRoundTrip()
    {
        var ml = new MLContext(seed: 1);
        using var scratch = new ScratchFolder();
        using (ProbingTestData.TinyModel(ml, scratch.Path)) { }
        var folders = ProbingCheckpoints.StepFolders(scratch.Path);
        // CheckpointSteps [0] keeps the untrained weights; interval 2 and the end give step 2.
        CollectionAssert.AreEqual(new[] { "step-000000", "step-000002" }, folders.Select(Path.GetFileName).ToArray());
        var texts = ml.Data.LoadFromEnumerable(ProbingTestData.Texts());
        using var activations = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options { CheckpointFolders = folders, Layers = [1] }).Fit(texts);
        CollectionAssert.AreEqual(new[] { "step-000000.Layer1", "step-000002.Layer1" }, activations.Columns.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new long?[] { 0, 2 }, activations.Columns.Select(c => c.Step).ToArray());
        var output = activations.Transform(texts);
        var early = Column(output, "step-000000.Layer1");
        var late = Column(output, "step-000002.Layer1");
        CollectionAssert.AreNotEqual(early[0], late[0], "the two checkpoints hold different weights");

        using var stream = new MemoryStream();
        ml.Model.Save(activations, texts.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        CollectionAssert.AreEqual(late[2], Column(loaded.Transform(texts), "step-000002.Layer1")[2]);
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void CheckpointOfADifferentConfigIsRejected()
    {
        var ml = new MLContext(seed: 1);
        using var small = new ScratchFolder();
        using var wide = new ScratchFolder();
        using (ProbingTestData.TinyModel(ml, small.Path)) { }
        using (ProbingTestData.TinyModel(ml, wide.Path, PretrainTestData.Config with { NumLayers = 3 })) { }
        var folders = new[] { ProbingCheckpoints.StepFolders(small.Path)[^1], ProbingCheckpoints.StepFolders(wide.Path)[^1] };
        var texts = ml.Data.LoadFromEnumerable(ProbingTestData.Texts());
        var estimator = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options { CheckpointFolders = folders, Layers = [0] });
        var ex = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(texts));
        Assert.Contains("comes from a different config", ex.Message);
        Assert.Contains("3 layers, width 16", ex.Message);
    }

    [TestMethod]
    public void SteeringSourceCheckpointOfADifferentConfigIsRejected()
    {
        var ml = new MLContext(seed: 1);
        using var wide = new ScratchFolder();
        using var lm = ProbingTestData.TinyModel(ml);
        using (ProbingTestData.TinyModel(ml, wide.Path, PretrainTestData.Config with { NumLayers = 3 })) { }
        var estimator = ml.Transforms.Megalodon().Steer(new SteeringEstimator.Options
        {
            LanguageModel = lm, Layer = 1, SourceCheckpointFolder = ProbingCheckpoints.StepFolders(wide.Path)[^1],
        });
        var ex = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(ml.Data.LoadFromEnumerable(ProbingTestData.Texts())));
        Assert.Contains("different config from the steered model", ex.Message);
    }

    [TestMethod]
    public void AFolderThatIsNotAStepCheckpointIsRejected()
    {
        using var scratch = new ScratchFolder();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ProbingCheckpoints.Load([scratch.Path]));
        Assert.Contains("is not a step checkpoint", ex.Message);
    }

    [TestMethod]
    public void MissingTextColumnIsRejectedByName()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var data = ml.Data.LoadFromEnumerable(ProbingTestData.Activations(4, seed: 1));
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Megalodon().LayerActivations(lm, textColumnName: "Statement").Fit(data));
        Assert.Contains("Statement", ex.Message);
    }
}
