using Megalodon.ML.Checkpoints;
using Megalodon.ML.Parity;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests;

[TestClass]
public sealed class GoldenParityTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly string[] AlwaysChecked = ["logits", "logits_incremental", "hidden.final", "loss"];

    [TestMethod]
    [DataRow("p1_single_layer_short")]
    [DataRow("p2_two_layer_swiglu_3chunks")]
    [DataRow("p3_tied_scaled_4heads_4chunks")]
    [DataRow("p4_three_layer_rescale_2chunks")]
    [DataRow("p5_wide_noaffine_short")]
    [DataRow("p6_tied_rescale_chunk12")]
    public void MatchesTheReferenceWithinTolerance(string caseName)
    {
        var folder = GoldenFixtures.CaseFolder(caseName);
        var result = ParityRunner.Run(folder);
        foreach (var check in result.Checks) TestContext.WriteLine(check.ToString());

        Assert.IsTrue(result.Passed, "failed checks:\n" + string.Join("\n", result.Failures));
        // Every quantity of the fixture was really compared, not skipped.
        Assert.IsFalse(result.Skipped.Any(), "skipped checks:\n" + string.Join("\n", result.Skipped));
        foreach (var name in AlwaysChecked.Concat(ParityRunner.Layer0Names))
            Assert.AreEqual(ParityStatus.Passed, result[name]?.Status, $"{name} was not checked and passed");

        var tol = ParityTolerances.Default;
        Assert.IsTrue(result.LogitsMaxAbs <= tol.LogitsMaxAbs, $"logits {result.LogitsMaxAbs}");
        Assert.IsTrue(result.IncrementalMaxAbs <= tol.IncrementalMaxAbs, $"incremental {result.IncrementalMaxAbs}");
        Assert.IsTrue(result.HiddenMaxAbs <= tol.HiddenMaxAbs, $"hidden.final {result.HiddenMaxAbs}");
        Assert.IsTrue(result.WorstLayer0!.Value <= tol.Layer0MaxAbs, $"worst layer0 {result.WorstLayer0}");
        Assert.IsTrue(result.LossAbsDiff <= tol.LossAbs, $"loss {result.LossAbsDiff}");

        // One gradient check per grad.* tensor of the fixture, each within tolerance.
        var gradNames = SafeTensors.ReadHeader(Path.Combine(folder, GoldenCase.IoFileName)).Names
            .Where(n => n.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        Assert.IsNotEmpty(gradNames);
        foreach (var name in gradNames)
        {
            var check = result[name];
            Assert.IsNotNull(check, $"{name} not compared");
            Assert.IsTrue(check.Value <= tol.GradientRelL2, $"{name}: {check}");
        }
        TestContext.WriteLine($"{caseName}: logits {result.LogitsMaxAbs:0.0e+00}, incremental {result.IncrementalMaxAbs:0.0e+00}, " +
            $"hidden {result.HiddenMaxAbs:0.0e+00}, layer0 {result.WorstLayer0!.Value:0.0e+00}, loss {result.LossAbsDiff:0.0e+00}, " +
            $"grad {result.WorstGradient!.Value:0.0e+00} ({result.WorstGradient.Name})");
    }

    [TestMethod]
    public void MissingOptionalTensorsAreSkippedNotFailed()
    {
        var source = GoldenFixtures.CaseFolder("p1_single_layer_short");
        using var scratch = new ScratchFolder();
        var folder = Path.Combine(scratch.Path, "p1_without_intermediates");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(source, GoldenCase.ConfigFileName), Path.Combine(folder, GoldenCase.ConfigFileName));
        File.CreateSymbolicLink(Path.Combine(folder, GoldenCase.WeightsFileName), Path.Combine(source, GoldenCase.WeightsFileName));
        using (var scope = torch.NewDisposeScope())
        {
            var io = SafeTensors.Load(Path.Combine(source, GoldenCase.IoFileName));
            var kept = io.Where(kv => !kv.Key.StartsWith("layer0.", StringComparison.Ordinal) && kv.Key != ParityRunner.HiddenName);
            SafeTensors.Save(Path.Combine(folder, GoldenCase.IoFileName), kept);
        }

        var result = ParityRunner.Run(folder);
        Assert.IsTrue(result.Passed, string.Join("\n", result.Failures));
        CollectionAssert.AreEquivalent(ParityRunner.Layer0Names.Append(ParityRunner.HiddenName).ToList(),
            result.Skipped.Select(c => c.Name).ToList());
        Assert.AreEqual(ParityStatus.Passed, result["logits"]?.Status);
    }

    [TestMethod]
    public void PerturbedWeightsFailWithTheRightQuantities()
    {
        var source = GoldenFixtures.CaseFolder("p2_two_layer_swiglu_3chunks");
        using var scratch = new ScratchFolder();
        var folder = ParityCliTests.PerturbedCopy(source, scratch.Path, "layers.1.nffn.fc2.weight");

        var result = ParityRunner.Run(folder);
        Assert.IsFalse(result.Passed);
        Assert.AreEqual(ParityStatus.Failed, result["logits"]?.Status);
        Assert.AreEqual(ParityStatus.Failed, result["loss"]?.Status);
        // Layer 0 comes before the perturbed layer-1 weight, so its intermediates still match.
        Assert.AreEqual(ParityStatus.Passed, result["layer0.out"]?.Status);
        Assert.IsTrue(result.WorstGradient!.Value > 1e-3);
    }

    [TestMethod]
    public void IncrementalSegmentsThatDoNotCoverTheSequenceFail()
    {
        var source = GoldenFixtures.CaseFolder("p1_single_layer_short");
        using var scratch = new ScratchFolder();
        var folder = Path.Combine(scratch.Path, "bad_segments");
        Directory.CreateDirectory(folder);
        var config = File.ReadAllText(Path.Combine(source, GoldenCase.ConfigFileName));
        var edited = System.Text.RegularExpressions.Regex.Replace(config, @"""incremental_segments"":\s*\[[^\]]*\]", "\"incremental_segments\": [5, 1]");
        Assert.AreNotEqual(config, edited);
        File.WriteAllText(Path.Combine(folder, GoldenCase.ConfigFileName), edited);
        File.CreateSymbolicLink(Path.Combine(folder, GoldenCase.WeightsFileName), Path.Combine(source, GoldenCase.WeightsFileName));
        File.CreateSymbolicLink(Path.Combine(folder, GoldenCase.IoFileName), Path.Combine(source, GoldenCase.IoFileName));

        var result = ParityRunner.Run(folder);
        Assert.IsFalse(result.Passed);
        var check = result["logits_incremental"];
        Assert.AreEqual(ParityStatus.Failed, check?.Status);
        StringAssert.Contains(check!.Note, "sum to L = 12");
    }

    [TestMethod]
    public void FindsCaseFoldersAtAnyDepth()
    {
        var golden = GoldenFixtures.GoldenFolder();
        var all = GoldenCase.FindCaseFolders(golden);
        Assert.IsGreaterThanOrEqualTo(6, all.Count);
        var one = GoldenCase.FindCaseFolders(Path.Combine(golden, "p4_three_layer_rescale_2chunks"));
        Assert.HasCount(1, one);
        var loaded = GoldenCase.Load(one[0]);
        Assert.AreEqual("p4_three_layer_rescale_2chunks", loaded.Name);
        Assert.AreEqual(1, loaded.Batch);
        Assert.AreEqual(64, loaded.SeqLen);
        CollectionAssert.AreEqual(new[] { 20, 12, 32 }, loaded.IncrementalSegments!.ToArray());
    }
}
