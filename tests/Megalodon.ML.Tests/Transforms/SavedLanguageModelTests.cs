using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Tests.Probing;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Continual;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Transforms;

/// <summary>LayerActivations, Steer and ContinualPretrain built from a saved language model (file or stream), composed into pipelines before fitting.</summary>
[TestClass]
public sealed class SavedLanguageModelTests
{
    [TestMethod]
    public void LayerActivationsAndSteerFromASavedModelMatchTheFittedModelAndComposeInOnePipeline()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        using var scratch = new ScratchFolder();
        var path = scratch.File("lm.zip");
        var texts = ml.Data.LoadFromEnumerable(ProbingTestData.Texts());
        ml.Model.Save(lm, texts.Schema, path);

        // One pipeline, composed before anything is fitted: activations from the saved model, then steered scores.
        var pipeline = ml.Transforms.Megalodon().LayerActivations(path, layers: [1])
            .Append(ml.Transforms.Megalodon().Steer(path, layer: 0, strength: 2));
        var fitted = pipeline.Fit(texts);
        var scored = fitted.Transform(texts);
        using var direct = ml.Transforms.Megalodon().LayerActivations(lm, layers: [1]).Fit(texts);
        using var directSteer = ml.Transforms.Megalodon().Steer(lm, layer: 0, strength: 2).Fit(texts);
        CollectionAssert.AreEqual(direct.Transform(texts).GetColumn<float[]>("Layer1").First(), scored.GetColumn<float[]>("Layer1").First());
        CollectionAssert.AreEqual(directSteer.Transform(texts).GetColumn<float>("SteeredNegativeLogLikelihood").ToArray(),
            scored.GetColumn<float>("SteeredNegativeLogLikelihood").ToArray());
        foreach (var t in fitted) (t as IDisposable)?.Dispose();

        using var stream = File.OpenRead(path);
        using var fromStream = ml.Transforms.Megalodon().Steer(stream, layer: 0, strength: 2).Fit(texts);
        CollectionAssert.AreEqual(directSteer.Transform(texts).GetColumn<float>("SteeredNegativeLogLikelihood").ToArray(),
            fromStream.Transform(texts).GetColumn<float>("SteeredNegativeLogLikelihood").ToArray());
    }

    [TestMethod]
    public void ContinualPretrainFromASavedModelMatchesTheFittedModel()
    {
        var ml = new MLContext(seed: 1);
        using var baseModel = ml.Transforms.Megalodon().Pretrain(PretrainTestData.Options(steps: 3)).Fit(PretrainTestData.TextData(ml));
        using var scratch = new ScratchFolder();
        var path = scratch.File("base.zip");
        ml.Model.Save(baseModel, PretrainTestData.TextData(ml).Schema, path);
        var newData = PretrainTestData.TextData(ml, PretrainTestData.Documents.Select(d => d.ToUpperInvariant()));
        ContinualPretrainEstimator.Options Options() => new() { MaxSteps = 3, BatchSize = 2, EvalInterval = 0, Seed = 3, Threads = 1 };

        var fromFitted = Options();
        fromFitted.BaseModel = baseModel;
        using var a = ml.Transforms.Megalodon().ContinualPretrain(fromFitted).Fit(newData);
        var fromFile = Options();
        fromFile.BaseModelPath = path;
        using var b = ml.Transforms.Megalodon().ContinualPretrain(fromFile).Fit(newData);
        Assert.AreEqual(a.TrainingResult!.FinalLoss, b.TrainingResult!.FinalLoss, "the same base weights, data and seed");
        using var stream = File.OpenRead(path);
        using var c = ml.Transforms.Megalodon().ContinualPretrain(stream, maxSteps: 3, batchSize: 2, seed: 3).Fit(newData);
        Assert.IsTrue(double.IsFinite(c.TrainingResult!.FinalLoss));
    }

    [TestMethod]
    public void AMissingOrWrongSavedModelIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => ml.Transforms.Megalodon().LayerActivations("no-such-model.zip"));
        Assert.Contains("no-such-model.zip", ex.Message);
        using var scratch = new ScratchFolder();
        var path = scratch.File("copy.zip");
        var data = PretrainTestData.TextData(ml);
        ml.Model.Save(ml.Transforms.CopyColumns("A", "Text").Fit(data), data.Schema, path);
        var wrong = Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.Megalodon().Steer(path, layer: 0, strength: 1));
        Assert.Contains("holds no Megalodon language model", wrong.Message);
    }
}
