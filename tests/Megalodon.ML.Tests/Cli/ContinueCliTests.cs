namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class ContinueCliTests
{
    private const string NewText =
        "static inline void spin_lock(spinlock_t *lock) { arch_spin_lock(lock); }\nif (!ptr) return -ENOMEM; memset(ptr, 0, sizeof(*ptr));";

    [TestMethod]
    public void ContinueWithReplayWritesTheModelAndTheReport()
    {
        var fixture = TinyCliModel.Get();
        Assert.AreEqual(0, fixture.ExitCode, fixture.Error);
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("new.txt"), NewText);
        var (code, output, error) = CliRunner.Run("continue", "--model", fixture.ModelPath, "--data", scratch.File("new.txt"),
            "--replay-data", fixture.DataFolder, "--replay", "0.25", "--old-valid", fixture.DataFolder, "--new-valid", scratch.File("new.txt"),
            "--steps", "2", "--batch", "2", "--eval-interval", "1", "--lr", "3e-3", "--threads", "1",
            "--out", scratch.File("out/model.zip"), "--report-dir", scratch.File("report"));
        Assert.AreEqual(0, code, output + error);
        Assert.IsTrue(File.Exists(scratch.File("out/model.zip")));
        Assert.IsTrue(File.Exists(scratch.File("report/report.png")));
        var csv = Megalodon.Reports.CsvTable.Load(scratch.File("report/report.csv"));
        Assert.HasCount(3, csv.Rows); // steps 0, 1, 2
        foreach (var part in new[] { "replay 25%", "loss old ", "loss new ", "forgetting ", "adaptation ", "report    " })
            StringAssert.Contains(output, part);
        StringAssert.Contains(error, "step 2/2 (100%)");
    }

    [TestMethod]
    public void ReplayWithoutReplayDataIsAUsageError()
    {
        var (code, _, error) = CliRunner.Run("continue", "--model", "m.zip", "--data", "x.txt", "--replay", "0.1");
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "--replay-data");
    }
}
