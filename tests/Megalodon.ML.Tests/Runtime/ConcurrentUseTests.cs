using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Tests.Probing;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Runtime;

/// <summary>Transformers that share one network can be used from many threads at once and disposed in any order.</summary>
[TestClass]
public sealed class ConcurrentUseTests
{
    public sealed class Prediction
    {
        public float NegativeLogLikelihood { get; set; }
        [VectorType(16)] public float[] Embedding { get; set; } = [];
    }

    private static readonly string[] Texts =
    [
        "The sea is deep and blue.", "A dry desert under the sun.", "Waves break on the shore.", "Sand dunes and no water.",
        "Sailors cross the ocean.", "Cactus in the hot dust.", "Rain falls on the hills.", "The wind moves the grass.",
    ];

    private static float[] Column(IDataView data, string name) => data.GetColumn<float>(name).ToArray();

    [TestMethod]
    public void EightPredictionEnginesAndConcurrentSteeredAndPlainTransformsGiveTheSequentialResults()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        // Every position, so that the steered NLL differs from the plain one (a last-position shift predicts nothing).
        using var steering = ml.Transforms.Megalodon().Steer(new SteeringEstimator.Options
        {
            LanguageModel = lm, Layer = 0, Strength = 4, Position = Megalodon.ML.Probing.SteeringPosition.Every,
        }).Fit(ml.Data.LoadFromEnumerable(ProbingTestData.Texts()));
        var data = PretrainTestData.TextData(ml, Texts);

        // Sequential reference.
        var sequentialEngine = ml.Model.CreatePredictionEngine<PretrainTestData.TextRow, Prediction>(lm);
        var expected = Texts.Select(t => sequentialEngine.Predict(new PretrainTestData.TextRow { Text = t })).ToArray();
        var plainNll = Column(lm.Transform(data), "NegativeLogLikelihood");
        var steeredNll = Column(steering.Transform(data), "SteeredNegativeLogLikelihood");
        CollectionAssert.AreNotEqual(plainNll, steeredNll, "steering changes the scores, so a leak would show");

        // Eight threads with their own engines, and two pairs of Transforms (plain and steered) at the same time.
        var engines = Enumerable.Range(0, 8).Select(_ => ml.Model.CreatePredictionEngine<PretrainTestData.TextRow, Prediction>(lm)).ToArray();
        var predictions = new Prediction[8][];
        var start = new Barrier(12);
        var workers = Enumerable.Range(0, 8).Select(k => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            // Each thread walks the texts from its own offset, so different rows run at the same moment.
            predictions[k] = new Prediction[Texts.Length];
            for (int i = 0; i < Texts.Length; i++)
            {
                int row = (i + k) % Texts.Length;
                predictions[k][row] = engines[k].Predict(new PretrainTestData.TextRow { Text = Texts[row] });
            }
        }, TaskCreationOptions.LongRunning)).ToList();
        float[][] concurrentPlain = new float[2][], concurrentSteered = new float[2][];
        workers.AddRange(Enumerable.Range(0, 2).Select(k => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            concurrentPlain[k] = Column(lm.Transform(data), "NegativeLogLikelihood");
        }, TaskCreationOptions.LongRunning)));
        workers.AddRange(Enumerable.Range(0, 2).Select(k => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            concurrentSteered[k] = Column(steering.Transform(data), "SteeredNegativeLogLikelihood");
        }, TaskCreationOptions.LongRunning)));
        Task.WaitAll(workers);

        for (int k = 0; k < 8; k++)
            for (int r = 0; r < Texts.Length; r++)
            {
                Assert.AreEqual(expected[r].NegativeLogLikelihood, predictions[k][r].NegativeLogLikelihood, $"engine {k}, row {r}");
                CollectionAssert.AreEqual(expected[r].Embedding, predictions[k][r].Embedding, $"engine {k}, row {r}");
            }
        for (int k = 0; k < 2; k++)
        {
            CollectionAssert.AreEqual(plainNll, concurrentPlain[k], "no steering leaks into plain scoring");
            CollectionAssert.AreEqual(steeredNll, concurrentSteered[k], "steering is applied to every steered row");
        }
    }

    [TestMethod]
    public void TransformersBuiltFromALanguageModelOutliveItsDisposal()
    {
        var ml = new MLContext(seed: 1);
        var lm = ProbingTestData.TinyModel(ml);
        var data = PretrainTestData.TextData(ml, Texts);
        var steering = ml.Transforms.Megalodon().Steer(lm, layer: 1, strength: 4).Fit(ml.Data.LoadFromEnumerable(ProbingTestData.Texts()));
        var layers = ml.Transforms.Megalodon().LayerActivations(lm).Fit(data);
        var steeredBefore = Column(steering.Transform(data), "SteeredNegativeLogLikelihood");
        var layerBefore = layers.Transform(data).GetColumn<float[]>("Layer1").First();
        var network = lm.Model;

        lm.Dispose();
        Assert.IsFalse(network.IsDisposed, "the others still use the network");
        CollectionAssert.AreEqual(steeredBefore, Column(steering.Transform(data), "SteeredNegativeLogLikelihood"));
        steering.Dispose();
        CollectionAssert.AreEqual(layerBefore, layers.Transform(data).GetColumn<float[]>("Layer1").First());
        layers.Dispose();
        Assert.IsTrue(network.IsDisposed, "the last holder releases it");
        steering.Dispose();   // disposing twice releases once
    }
}
