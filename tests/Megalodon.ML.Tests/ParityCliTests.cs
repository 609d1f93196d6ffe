using Megalodon.ML.Checkpoints;
using Megalodon.ML.Parity;
using TorchSharp;

namespace Megalodon.ML.Tests;

[TestClass]
public sealed class ParityCliTests
{
    private static (int ExitCode, string Output, string Error) RunCli(params string[] args) => Cli.CliRunner.Run(args);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// A case folder under <paramref name="parent"/> with the golden config and io, and weights where one tensor is
    /// shifted by 0.05: the kind of error a wrong port makes.
    /// </summary>
    internal static string PerturbedCopy(string source, string parent, string tensorName)
    {
        var folder = Path.Combine(parent, Path.GetFileName(source) + "_perturbed");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(source, GoldenCase.ConfigFileName), Path.Combine(folder, GoldenCase.ConfigFileName));
        File.CreateSymbolicLink(Path.Combine(folder, GoldenCase.IoFileName), Path.Combine(source, GoldenCase.IoFileName));
        using var scope = torch.NewDisposeScope();
        var weights = SafeTensors.Load(Path.Combine(source, GoldenCase.WeightsFileName));
        Assert.IsTrue(weights.ContainsKey(tensorName), tensorName);
        weights[tensorName] = weights[tensorName] + 0.05f;
        SafeTensors.Save(Path.Combine(folder, GoldenCase.WeightsFileName), weights);
        return folder;
    }

    [TestMethod]
    public void PassingCaseExitsZeroWithOneLinePerCaseAndASummary()
    {
        var source = GoldenFixtures.CaseFolderOrSkip("p1_single_layer_short");
        using var scratch = new ScratchFolder();
        Directory.CreateSymbolicLink(Path.Combine(scratch.Path, "p1_single_layer_short"), source);

        var (code, output, error) = RunCli("parity", scratch.Path);

        Assert.AreEqual(0, code, output + error);
        var lines = Lines(output);
        Assert.HasCount(2, lines, output);
        StringAssert.StartsWith(lines[0], "p1_single_layer_short");
        foreach (var part in new[] { "logits ", "incremental ", "hidden ", "layer0 ", "loss ", "grad ", "PASS" })
            StringAssert.Contains(lines[0], part);
        Assert.AreEqual("1 passed, 0 failed", lines[1]);
    }

    [TestMethod]
    public void ACaseFolderItselfCanBeTheArgument()
    {
        var source = GoldenFixtures.CaseFolderOrSkip("p5_wide_noaffine_short");
        var (code, output, _) = RunCli("parity", source, "--threads", "1");
        Assert.AreEqual(0, code, output);
        Assert.AreEqual("1 passed, 0 failed", Lines(output)[^1]);
    }

    [TestMethod]
    public void PerturbedWeightsExitOneAndSayFail()
    {
        var source = GoldenFixtures.CaseFolderOrSkip("p1_single_layer_short");
        using var scratch = new ScratchFolder();
        PerturbedCopy(source, scratch.Path, "layers.0.mega.wv.weight");

        var (code, output, _) = RunCli("parity", scratch.Path);

        Assert.AreEqual(1, code, output);
        var lines = Lines(output);
        StringAssert.StartsWith(lines[0], "p1_single_layer_short_perturbed");
        StringAssert.Contains(lines[0], "FAIL");
        Assert.IsTrue(lines.Any(l => l.StartsWith("logits:", StringComparison.Ordinal) && l.Contains("Failed")), output);
        Assert.AreEqual("0 passed, 1 failed", lines[^1]);
    }

    [TestMethod]
    public void MixedCasesAreCountedSeparately()
    {
        var source = GoldenFixtures.CaseFolderOrSkip("p1_single_layer_short");
        using var scratch = new ScratchFolder();
        Directory.CreateSymbolicLink(Path.Combine(scratch.Path, "p1_single_layer_short"), source);
        PerturbedCopy(source, scratch.Path, "output.final_norm.bias");

        var (code, output, _) = RunCli("parity", scratch.Path);

        Assert.AreEqual(1, code, output);
        Assert.AreEqual("1 passed, 1 failed", Lines(output)[^1]);
    }

    [TestMethod]
    public void DeviceCpuRunsTheCases()
    {
        var source = GoldenFixtures.CaseFolderOrSkip("p1_single_layer_short");
        var (code, output, error) = RunCli("parity", source, "--device", "cpu");
        Assert.AreEqual(0, code, output + error);
        Assert.AreEqual("1 passed, 0 failed", Lines(output)[^1]);
    }

    [TestMethod]
    public void UnavailableCudaIsAClearFailure()
    {
        if (torch.cuda.is_available())
            Assert.Inconclusive("CUDA is available here; this test covers machines without it.");
        using var scratch = new ScratchFolder();
        var (code, output, error) = RunCli("parity", scratch.Path, "--device", "cuda");
        Assert.AreEqual(1, code, output + error);
        StringAssert.Contains(error, "CUDA was requested but is not available");
        StringAssert.Contains(error, "MEGALODON_LIBTORCH_DIR");
    }

    [TestMethod]
    public void UnknownDeviceIsAUsageError()
    {
        var (code, _, error) = RunCli("parity", Path.GetTempPath(), "--device", "tpu");
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "Unknown device 'tpu'");
    }

    [TestMethod]
    public void RunnerOnAnExplicitCpuDevicePasses()
    {
        var result = ParityRunner.Run(GoldenFixtures.CaseFolderOrSkip("p2_two_layer_swiglu_3chunks"), device: torch.CPU);
        Assert.IsTrue(result.Passed, string.Join("\n", result.Failures));
    }

    [TestMethod]
    public void MissingFolderIsAClearError()
    {
        using var scratch = new ScratchFolder();
        var (code, _, error) = RunCli("parity", Path.Combine(scratch.Path, "absent"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "does not exist");
    }

    [TestMethod]
    public void FolderWithoutCasesIsAClearError()
    {
        using var scratch = new ScratchFolder();
        Directory.CreateDirectory(Path.Combine(scratch.Path, "empty"));
        var (code, _, error) = RunCli("parity", scratch.Path);
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "no golden case");
    }

    [TestMethod]
    public void UnknownVerbPrintsUsageAndExitsTwo()
    {
        var (code, _, error) = RunCli("frobnicate");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "unknown verb 'frobnicate'");
        StringAssert.Contains(error, "Usage: megalodon <verb>");
        StringAssert.Contains(error, "parity");
    }

    [TestMethod]
    public void NoArgumentsPrintUsageAndExitTwo()
    {
        var (code, _, error) = RunCli();
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "Usage: megalodon <verb>");
    }

    [TestMethod]
    public void HelpIsPerVerb()
    {
        var (code, output, _) = RunCli("parity", "--help");
        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "Usage: megalodon parity <dir>");
        StringAssert.Contains(output, "--threads");

        (code, output, _) = RunCli("--help");
        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "parity");

        (code, output, _) = RunCli("help", "parity");
        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "Usage: megalodon parity <dir>");
    }

    [TestMethod]
    [DataRow("parity")]
    [DataRow("parity", "a", "b")]
    [DataRow("parity", "x", "--threads")]
    [DataRow("parity", "x", "--threads", "zero")]
    [DataRow("parity", "x", "--threads", "0")]
    [DataRow("parity", "x", "--bogus")]
    public void BadArgumentsExitTwo(params string[] args)
    {
        var (code, _, error) = RunCli(args);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "Usage: megalodon parity");
    }
}
