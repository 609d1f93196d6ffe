using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Commands;
using Megalodon.Reports;
using Megalodon.ML.Tests.Probing;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class ProbingCliTests
{
    /// <summary>A probing CSV in the TracingLLM layout: statement,label with a header and quoted fields.</summary>
    private static string WriteCsv(ScratchFolder scratch, string header = "statement,label")
    {
        var lines = new List<string> { header };
        foreach (var row in ProbingTestData.Texts().Concat(ProbingTestData.Texts()))
            lines.Add($"\"{row.Text}\",{(row.Label ? 1 : 0)}");
        var path = scratch.File("set.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string Run(ScratchFolder scratch)
    {
        var run = Path.Combine(scratch.Path, "run");
        using (ProbingTestData.TinyModel(new MLContext(seed: 1), run)) { }
        return run;
    }

    [TestMethod]
    public void ProbeOverCheckpointsWritesTheTableTheHeatmapAndTheInformationCurves()
    {
        using var scratch = new ScratchFolder();
        var out_ = Path.Combine(scratch.Path, "report");
        var (code, output, error) = CliRunner.Run("probe", "--checkpoints", Run(scratch), "--data", WriteCsv(scratch), "--mi-rows", "8", "--out", out_);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "step-000002");
        var csv = CsvTable.Load(Path.Combine(out_, ProbeCommand.CsvFileName));
        Assert.HasCount(4, csv.Rows); // 2 checkpoints x 2 layers
        for (int r = 0; r < 4; r++)
        {
            Assert.IsFalse(double.IsNaN(csv.GetDouble(r, "i_yt")), $"row {r} has I(Y;T)");
            Assert.IsTrue(csv.GetDouble(r, "accuracy") is >= 0 and <= 1);
        }
        foreach (var png in new[] { ProbeCommand.HeatmapFileName, "probe_ixt.png", "probe_iyt.png" })
            Assert.IsTrue(File.Exists(Path.Combine(out_, png)), png);
    }

    [TestMethod]
    public void ProbeWithoutTheLabelHeaderSaysWhichColumnsExist()
    {
        using var scratch = new ScratchFolder();
        var (code, _, error) = CliRunner.Run("probe", "--checkpoints", Run(scratch), "--data", WriteCsv(scratch, "statement,toxic"));
        Assert.AreEqual(MegalodonCommandLine.FailureExitCode, code);
        StringAssert.Contains(error, "no column 'label' in its header (statement, toxic)");
    }

    [TestMethod]
    public void ProbeOfALayerOutOfRangeFailsWithTheRange()
    {
        using var scratch = new ScratchFolder();
        var (code, _, error) = CliRunner.Run("probe", "--checkpoints", Run(scratch), "--data", WriteCsv(scratch), "--layers", "0,5");
        Assert.AreEqual(MegalodonCommandLine.FailureExitCode, code);
        StringAssert.Contains(error, "Layer index 5 is out of range: the model has 2 layers");
    }

    [TestMethod]
    public void SteerAtEveryPositionMovesTheScoresAndWritesItsFiles()
    {
        var model = TinyCliModel.Get().ModelPath;
        using var scratch = new ScratchFolder();
        var out_ = Path.Combine(scratch.Path, "steer");
        var (code, output, error) = CliRunner.Run("steer", "--model", model, "--data", WriteCsv(scratch), "--layer", "1", "--alphas", "-3,3",
            "--position", "every", "--prompt", "The sea", "--max-tokens", "4", "--out", out_);
        Assert.AreEqual(0, code, output + error);
        var scores = CsvTable.Load(Path.Combine(out_, "steering_scores.csv"));
        Assert.AreNotEqual(scores.GetDouble(0, "mean_nll"), scores.GetDouble(1, "mean_nll"));
        Assert.HasCount(2, CsvTable.Load(Path.Combine(out_, "steering_generations.csv")).Rows);
        Assert.HasCount(16, CsvTable.Load(Path.Combine(out_, "steering_vector.csv")).Rows);
    }
}
