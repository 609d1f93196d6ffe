using Megalodon.ML.Probing;

namespace Megalodon.ML.Tests.Probing;

[TestClass]
public sealed class NormalizedHsicTests
{
    [TestMethod]
    public void LabelInformationIsHigherForInformativeFeaturesThanForNoise()
    {
        var rows = ProbingTestData.Activations(120, seed: 3, separation: 4f);
        var labels = rows.Select(r => r.Label).ToList();
        var informative = rows.Select(r => r.Layer0).ToList();
        var random = new Random(5);
        var noise = rows.Select(_ => Enumerable.Range(0, ProbingTestData.Width).Select(_ => (float)ProbingTestData.Gaussian(random)).ToArray()).ToList();

        double withSignal = NormalizedHsic.EstimateWithLabels(informative, labels);
        double withNoise = NormalizedHsic.EstimateWithLabels(noise, labels);
        Assert.IsGreaterThan(withNoise * 1.5, withSignal, $"informative {withSignal}, noise {withNoise}");
    }

    [TestMethod]
    public void DependenceOnItselfExceedsDependenceOnIndependentData()
    {
        var random = new Random(9);
        var a = Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)ProbingTestData.Gaussian(random)).ToArray()).ToList();
        var b = Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)ProbingTestData.Gaussian(random)).ToArray()).ToList();
        Assert.IsGreaterThan(NormalizedHsic.Estimate(a, b), NormalizedHsic.Estimate(a, a));
    }

    [TestMethod]
    public void InformationPlaneNeedsLayerZero()
    {
        var rows = ProbingTestData.Activations(10, seed: 1);
        var activations = new LayerActivations([1], [rows.Select(r => r.Layer0).ToArray()]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => InformationPlane.Measure(activations, rows.Select(r => r.Label).ToList()));
        Assert.Contains("layer-0", ex.Message);
    }

    [TestMethod]
    public void MismatchedRowCountsAreRejected()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => NormalizedHsic.Estimate([[1f], [2f]], [[1f], [2f], [3f]]));
        Assert.Contains("2 and 3 rows", ex.Message);
    }
}
