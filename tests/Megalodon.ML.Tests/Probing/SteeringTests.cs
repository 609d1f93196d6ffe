using Megalodon.ML.Model;
using Megalodon.ML.Probing;
using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Probing;

[TestClass]
public sealed class SteeringTests
{
    [TestMethod]
    public void SteeringVectorRecoversThePlantedDirectionWithTheProjectionStd()
    {
        var rows = ProbingTestData.Activations(400, seed: 4, separation: 3f);
        var vector = SteeringVector.Compute(0, rows.Select(r => r.Layer0).ToList(), rows.Select(r => r.Label).ToList(), directionRows: 200);
        Assert.IsGreaterThan(0.97, (double)vector.Direction[0]);
        Assert.AreEqual(1.0, Math.Sqrt(vector.Direction.Sum(v => (double)v * v)), 1e-5);
        // Projections: a mixture of N(0,1) and N(3,1), std about sqrt(1 + 9/4) = 1.80.
        Assert.AreEqual(1.80, vector.Scale, 0.15);
    }

    [TestMethod]
    public void PlusAndMinusAlphaMoveTheProbeScoreUpAndDown()
    {
        var ml = new MLContext(seed: 1);
        // A probe and a steering vector from synthetic activations with a planted direction, both of width 16 = the model's.
        var synthetic = ProbingTestData.Activations(200, seed: 1);
        var probes = ml.Transforms.Megalodon().ProbeLayers("Label", ["Layer0"]).Fit(ml.Data.LoadFromEnumerable(synthetic));
        var vector = SteeringVector.Compute(0, synthetic.Select(r => r.Layer0).ToList(), synthetic.Select(r => r.Label).ToList());
        using var model = ProbingTestData.TinyModel(ml);
        var texts = ml.Data.LoadFromEnumerable(ProbingTestData.Texts());

        double MeanScore(double alpha)
        {
            using var activations = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options
            {
                LanguageModel = model, Layers = [0], Steering = alpha == 0 ? null : new ActivationSteering(vector, alpha),
            }).Fit(texts);
            return probes.Transform(activations.Transform(texts)).GetColumn<float>("Layer0.Score").Average();
        }

        double plain = MeanScore(0), up = MeanScore(+2), down = MeanScore(-2);
        Assert.IsGreaterThan(plain, up);
        Assert.IsLessThan(plain, down);
    }

    [TestMethod]
    public void LastPositionSteeringShiftsOnlyTheLastTokenByAlphaTimesTheVector()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var vector = new SteeringVector(1, ProbingTestData.PlantedDirection, 0.5);
        var ids = ProbingTestData.Texts().Select(t => (IReadOnlyList<int>)lm.Tokenizer.Encode(t.Text)).ToList();
        var extractor = new LayerActivationExtractor(lm.Model, [1], ActivationPosition.Last, lm.Tokenizer.EndOfTextId);
        var meanExtractor = new LayerActivationExtractor(lm.Model, [1], ActivationPosition.Mean, lm.Tokenizer.EndOfTextId);
        var plain = extractor.Extract(ids).Values[0];
        var plainMean = meanExtractor.Extract(ids).Values[0];
        var last = new ActivationSteering(vector, 3);
        var steered = extractor.Extract(ids, last);
        var steeredMean = meanExtractor.Extract(ids, last);
        var everyMean = meanExtractor.Extract(ids, new ActivationSteering(vector, 3, SteeringPosition.Every));
        CollectionAssert.AreEqual(plain[0], extractor.Extract(ids).Values[0][0], "the intervention applies to its own call only");
        for (int r = 0; r < ids.Count; r++)
        {
            // Rows of different lengths share a padded batch: each row's own last token is shifted by 3 × 0.5 on dimension 0.
            Assert.AreEqual(plain[r][0] + 1.5f, steered.Values[0][r][0], 1e-4f, $"row {r}");
            Assert.AreEqual(plain[r][5], steered.Values[0][r][5], 1e-5f, $"row {r}");
            // The mean moves by 1.5 / tokens at the last position only, by 1.5 at every position.
            int tokens = ids[r].Count;
            Assert.AreEqual(plainMean[r][0] + 1.5f / tokens, steeredMean.Values[0][r][0], 1e-4f, $"row {r}");
            Assert.AreEqual(plainMean[r][0] + 1.5f, everyMean.Values[0][r][0], 1e-4f, $"row {r}");
        }
    }

    [TestMethod]
    public void SteeredGenerationDiffersAndNoSteeringLeavesTheModelAsItWas()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var greedy = new Megalodon.ML.Generation.GenerationOptions { MaxTokens = 12, Temperature = 0 };
        string plain = lm.Generate("The sea", greedy);
        using var steering = ml.Transforms.Megalodon().Steer(lm, layer: 1, strength: 40).Fit(ml.Data.LoadFromEnumerable(ProbingTestData.Texts()));
        string steered = steering.Generate("The sea", greedy);
        Assert.AreNotEqual(plain, steered);
        Assert.AreEqual(plain, lm.Generate("The sea", greedy));
    }

    [TestMethod]
    public void SteeringTransformerRoundTripsThroughModelSave()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var texts = ml.Data.LoadFromEnumerable(ProbingTestData.Texts());
        using var steering = ml.Transforms.Megalodon().Steer(new SteeringEstimator.Options
        {
            LanguageModel = lm, Layer = 0, Strength = -2, Position = SteeringPosition.Every, MaxNewTokens = 5,
        }).Fit(texts);
        var before = steering.Transform(texts);
        using var stream = new MemoryStream();
        ml.Model.Save(steering, texts.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        var after = loaded.Transform(texts);
        CollectionAssert.AreEqual(before.GetColumn<float>("SteeredNegativeLogLikelihood").ToArray(), after.GetColumn<float>("SteeredNegativeLogLikelihood").ToArray());
        CollectionAssert.AreEqual(before.GetColumn<ReadOnlyMemory<char>>("SteeredText").Select(t => t.ToString()).ToArray(),
            after.GetColumn<ReadOnlyMemory<char>>("SteeredText").Select(t => t.ToString()).ToArray());
        var plainNll = lm.Transform(texts).GetColumn<float>("NegativeLogLikelihood").ToArray();
        CollectionAssert.AreNotEqual(plainNll, before.GetColumn<float>("SteeredNegativeLogLikelihood").ToArray());
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void SteeringAVectorOfAnotherWidthOrLayerIsRejected()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var narrow = new ActivationSteering(new SteeringVector(0, [1f, 0f, 0f], 1), 1);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => narrow.CheckFits(lm.Model.Config));
        Assert.Contains("3 values, but the model's width is 16", ex.Message);
        var deep = new ActivationSteering(new SteeringVector(7, ProbingTestData.PlantedDirection, 1), 1);
        ex = Assert.ThrowsExactly<ArgumentException>(() => deep.CheckFits(lm.Model.Config));
        Assert.Contains("layer 7, but the model has 2 layers", ex.Message);
    }
}
