using Megalodon.ML.Tests.Pretraining;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class PretrainCliTests
{
    [TestMethod]
    public void PretrainOnAFolderExitsZeroAndSavesTheModel()
    {
        var run = TinyCliModel.Get();
        Assert.AreEqual(0, run.ExitCode, run.Output + run.Error);
        Assert.IsTrue(File.Exists(run.ModelPath), run.Output);
        // Two .txt files (one in a subfolder) read, the empty one skipped with a warning, the .md ignored.
        StringAssert.Contains(run.Output, "2 documents"); // one per file
        StringAssert.Contains(run.Output, "from 2 file(s), 1 empty skipped");
        StringAssert.Contains(run.Error, "warning: skipping");
        StringAssert.Contains(run.Error, "empty.txt");
        foreach (var part in new[] { "validation loss", "perplexity", "tokens/s", "elapsed", "saved     " + run.ModelPath, "sample    (temperature 0.8" })
            StringAssert.Contains(run.Output, part);
    }

    [TestMethod]
    public void RedirectedProgressIsPlainLinesWithoutCarriageReturns()
    {
        var run = TinyCliModel.Get();
        Assert.DoesNotContain("\r", run.Error);
        StringAssert.Contains(run.Error, "step 3/3 (100%)");
    }

    [TestMethod]
    public void SplitLinesMakesOneDocumentPerLine()
    {
        var fixture = TinyCliModel.Get();
        using var scratch = new ScratchFolder();
        var file = scratch.File("lines.txt");
        File.WriteAllText(file, string.Join("\n\n", PretrainTestData.Documents));
        var (code, output, error) = CliRunner.Run(TinyCliModel.PretrainArgs(file, fixture.ConfigPath, scratch.File("m.zip"), "--split-lines"));
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, $"{PretrainTestData.Documents.Length} documents");
    }

    [TestMethod]
    public void MissingDataPathIsAClearError()
    {
        using var scratch = new ScratchFolder();
        var (code, _, error) = CliRunner.Run("pretrain", "--data", scratch.File("absent"));
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "does not exist");
        StringAssert.Contains(error, "absent");
    }

    [TestMethod]
    public void FolderWithoutTextFilesIsAClearError()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("readme.md"), "no text files here");
        var (code, _, error) = CliRunner.Run("pretrain", "--data", scratch.Path);
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "no .txt files found under");
    }

    [TestMethod]
    public void OnlyEmptyFilesIsAClearError()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("a.txt"), "");
        File.WriteAllText(scratch.File("b.txt"), "\n \n");
        var (code, _, error) = CliRunner.Run("pretrain", "--data", scratch.Path);
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "all 2 file(s) are empty");
    }

    [TestMethod]
    public void TooLittleTextForOneWindowIsAClearError()
    {
        var fixture = TinyCliModel.Get();
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("short.txt"), "Too short.");
        var (code, _, error) = CliRunner.Run(TinyCliModel.PretrainArgs(scratch.Path, fixture.ConfigPath, scratch.File("m.zip")));
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "fewer than one window");
    }

    [TestMethod]
    public void CheckpointsResumeAndAreNotMixedWithAnotherRun()
    {
        var fixture = TinyCliModel.Get();
        using var scratch = new ScratchFolder();
        var checkpoints = scratch.File("ck");
        var (code, _, error) = CliRunner.Run(TinyCliModel.PretrainArgs(fixture.DataFolder, fixture.ConfigPath, scratch.File("m.zip"), "--checkpoints", checkpoints, "--resume"));
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "holds no checkpoint to resume from");

        (code, _, error) = CliRunner.Run(TinyCliModel.PretrainArgs(fixture.DataFolder, fixture.ConfigPath, scratch.File("m.zip"), "--checkpoints", checkpoints));
        Assert.AreEqual(0, code, error);
        Assert.IsTrue(Directory.EnumerateDirectories(checkpoints, "step-*").Any());

        (code, _, error) = CliRunner.Run(TinyCliModel.PretrainArgs(fixture.DataFolder, fixture.ConfigPath, scratch.File("m.zip"), "--checkpoints", checkpoints));
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "already holds checkpoints of another run (last step 3); add --resume");

        (code, _, error) = CliRunner.Run(TinyCliModel.PretrainArgs(fixture.DataFolder, fixture.ConfigPath, scratch.File("m.zip"), "--checkpoints", checkpoints, "--resume"));
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(error, "Resumed from step 3");
    }

    [TestMethod]
    [DataRow("--steps", "3", "--tokens", "100")]
    [DataRow("--preset", "tiny", "--config", "c.json")]
    [DataRow("--resume")]
    [DataRow("--decay", "exponential")]
    [DataRow("--tokenizer", "llama")]
    [DataRow("--lr", "0")]
    [DataRow("--valid-fraction", "1")]
    [DataRow("--preset", "huge")]
    [DataRow("--seq-len", "100")]
    [DataRow("--split-lines")]
    [DataRow("stray")]
    public void BadArgumentsExitTwo(params string[] args)
    {
        var (code, _, error) = CliRunner.Run(["pretrain", .. args]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "Usage: megalodon pretrain");
    }

    [TestMethod]
    public void HelpListsTheOptions()
    {
        var (code, output, _) = CliRunner.Run("pretrain", "--help");
        Assert.AreEqual(0, code);
        foreach (var option in new[] { "--data", "--split-lines", "--preset", "--config", "--tokenizer", "--seq-len", "--batch", "--steps", "--tokens", "--lr",
                     "--warmup", "--decay", "--valid-fraction", "--eval-interval", "--checkpoints", "--checkpoint-interval", "--resume", "--seed", "--device",
                     "--threads", "--out", "--sample-prompt", "--sample-tokens" })
            StringAssert.Contains(output, option);
    }
}
