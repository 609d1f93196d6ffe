using Megalodon.ML.Probing;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Probing;

[TestClass]
public sealed class LayerProbeTests
{
    [TestMethod]
    public void ProbeFindsThePlantedDirectionOnHeldOutRows()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ProbingTestData.Activations(200, seed: 1));
        var test = ml.Data.LoadFromEnumerable(ProbingTestData.Activations(100, seed: 2));
        var probes = ml.Transforms.Megalodon().ProbeLayers("Label", ["Layer0"]).Fit(train);
        var result = probes.Evaluate(test).Single();
        Assert.IsGreaterThan(0.85, result.Accuracy);
        Assert.IsGreaterThan(0.9, result.Auc);
        Assert.AreEqual(100, result.Count);
        // The regression puts its largest weight on the planted coordinate.
        var weights = probes.Probes[0].Weights;
        Assert.AreEqual(0, Enumerable.Range(0, weights.Count).MaxBy(i => Math.Abs(weights[i])));
    }

    [TestMethod]
    public void StandardisationUsesTrainingStatisticsOnly()
    {
        var ml = new MLContext(seed: 1);
        var trainRows = ProbingTestData.Activations(80, seed: 1);
        // Test rows are shifted by +5 in every dimension: statistics over both splits would move by about +1.7.
        var testRows = ProbingTestData.Activations(40, seed: 2, offset: 5f);
        var probes = ml.Transforms.Megalodon().ProbeLayers("Label", ["Layer0"]).Fit(ml.Data.LoadFromEnumerable(trainRows));
        var fitted = probes.Probes[0].Standardization;
        var expected = Standardization.Fit(trainRows.Select(r => r.Layer0).ToList());
        var leaky = Standardization.Fit(trainRows.Concat(testRows).Select(r => r.Layer0).ToList());
        for (int i = 0; i < ProbingTestData.Width; i++)
        {
            Assert.AreEqual(expected.Mean[i], fitted.Mean[i], 1e-5f, $"mean {i}");
            Assert.AreEqual(expected.Std[i], fitted.Std[i], 1e-5f, $"std {i}");
            Assert.IsGreaterThan(1f, Math.Abs(leaky.Mean[i] - fitted.Mean[i]), $"dimension {i} must differ from the leaky mean");
        }
        // Evaluating on the shifted rows leaves the statistics as they were.
        probes.Evaluate(ml.Data.LoadFromEnumerable(testRows));
        Assert.AreEqual(expected.Mean[3], probes.Probes[0].Standardization.Mean[3], 1e-6f);
    }

    [TestMethod]
    public void MissingLabelColumnIsRejectedByName()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(ProbingTestData.Activations(20, seed: 1));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Megalodon().ProbeLayers("Toxic", ["Layer0"]).Fit(data));
        Assert.Contains("label column 'Toxic' was not found", ex.Message);
    }

    private sealed class FloatLabelRow
    {
        public float Label { get; set; }
        [VectorType(ProbingTestData.Width)] public float[] Layer0 { get; set; } = [];
    }

    [TestMethod]
    public void NonBooleanLabelColumnIsRejectedWithTheFix()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(ProbingTestData.Activations(20, seed: 1).Select(r => new FloatLabelRow { Label = r.Label ? 1 : 0, Layer0 = r.Layer0 }));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Megalodon().ProbeLayers("Label", ["Layer0"]).Fit(data));
        Assert.Contains("'Label' is Single", ex.Message);
        Assert.Contains("not Boolean", ex.Message);
    }

    [TestMethod]
    public void SingleClassTrainingDataIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var rows = ProbingTestData.Activations(20, seed: 1).Where(r => r.Label).ToList();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Megalodon().ProbeLayers("Label", ["Layer0"]).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("only true values", ex.Message);
    }

    [TestMethod]
    public void SavedProbesReloadAndScoreTheSame()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ProbingTestData.Activations(60, seed: 1));
        var test = ml.Data.LoadFromEnumerable(ProbingTestData.Activations(30, seed: 2));
        var probes = ml.Transforms.Megalodon().ProbeLayers("Label", ["Layer0"]).Fit(train);
        var before = probes.Transform(test).GetColumn<float>("Layer0.Probability").ToArray();
        using var stream = new MemoryStream();
        ml.Model.Save(probes, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        Assert.IsInstanceOfType<LayerProbeTransformer>(loaded);
        var after = loaded.Transform(test).GetColumn<float>("Layer0.Probability").ToArray();
        CollectionAssert.AreEqual(before, after);
        Assert.AreEqual(probes.Evaluate(test).Single().Accuracy, ((LayerProbeTransformer)loaded).Evaluate(test).Single().Accuracy);
    }

    [TestMethod]
    public void AucCountsTiesAsHalf()
    {
        Assert.AreEqual(1.0, BinaryProbeMetrics.AreaUnderRoc([0.1, 0.9], [false, true]));
        Assert.AreEqual(0.5, BinaryProbeMetrics.AreaUnderRoc([0.5, 0.5], [false, true]));
        Assert.AreEqual(0.75, BinaryProbeMetrics.AreaUnderRoc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]));
    }
}
