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
    public void StandardisedInformationDoesNotFollowTheActivationScale()
    {
        // Small activations, as an early checkpoint's: on raw values the paper's kernel is flat and I(X;X) collapses.
        var rows = ProbingTestData.Activations(80, seed: 4);
        var labels = rows.Select(r => r.Label).ToList();
        float[][] Scaled(float factor) => rows.Select(r => r.Layer0.Select(v => v * factor).ToArray()).ToArray();
        var small = new LayerActivations([0], [Scaled(1e-3f)]);
        var large = new LayerActivations([0], [Scaled(10f)]);

        var raw = InformationPlane.Measure(small, labels, seed: 1, standardize: false)[0];
        var standardised = InformationPlane.Measure(small, labels, seed: 1)[0];
        var standardisedLarge = InformationPlane.Measure(large, labels, seed: 1)[0];

        Assert.IsLessThan(0.01, raw.InputInformation, $"raw I(X;X) {raw.InputInformation}");
        Assert.IsGreaterThan(1.0, standardised.InputInformation, $"standardised I(X;X) {standardised.InputInformation}");
        Assert.AreEqual(standardisedLarge.InputInformation, standardised.InputInformation, 1e-6 * standardised.InputInformation);
        Assert.AreEqual(standardisedLarge.LabelInformation, standardised.LabelInformation, 1e-6);
    }

    [TestMethod]
    public void StandardisationUsesOnlyTheRowsGiven()
    {
        // The same subset scored against different companions: statistics come from all rows passed, so adding
        // far-away rows to the set changes the estimate (they would leak if test rows were passed).
        var rows = ProbingTestData.Activations(40, seed: 6);
        var labels = rows.Select(r => r.Label).ToList();
        var values = rows.Select(r => r.Layer0).ToArray();
        var shifted = values.Select((v, i) => i < 20 ? v : v.Select(x => x + 50f).ToArray()).ToArray();
        double alone = InformationPlane.Measure(new LayerActivations([0, 1], [values[..20], shifted[..20]]), labels[..20], seed: 2)[1].InputInformation;
        double withOthers = InformationPlane.Measure(new LayerActivations([0, 1], [values, shifted]), labels, maxRows: 20, seed: 2)[1].InputInformation;
        Assert.AreNotEqual(alone, withOthers, 1e-3);
    }

    [TestMethod]
    public void ShuffledLabelControlIsFarBelowTheTrueLabelTerm()
    {
        var rows = ProbingTestData.Activations(160, seed: 8, separation: 4f);
        var labels = rows.Select(r => r.Label).ToList();
        var activations = new LayerActivations([0], [rows.Select(r => r.Layer0).ToArray()]);
        var terms = InformationPlane.Measure(activations, labels, seed: 3)[0];
        Assert.IsGreaterThan(3 * terms.ShuffledLabelInformation, terms.LabelInformation, $"I(Y;T) {terms.LabelInformation}, shuffled {terms.ShuffledLabelInformation}");

        // With labels unrelated to the rows, the two terms are alike.
        var noise = ShuffledLabels.Permute(labels, 99);
        var unrelated = InformationPlane.Measure(activations, noise, seed: 3)[0];
        Assert.IsLessThan(3 * unrelated.ShuffledLabelInformation + 0.02, unrelated.LabelInformation, $"unrelated I(Y;T) {unrelated.LabelInformation}, shuffled {unrelated.ShuffledLabelInformation}");
    }

    [TestMethod]
    public void MismatchedRowCountsAreRejected()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => NormalizedHsic.Estimate([[1f], [2f]], [[1f], [2f], [3f]]));
        Assert.Contains("2 and 3 rows", ex.Message);
    }
}
