using Megalodon.Cli.Commands;
using Megalodon.Reports;
using Megalodon.ML.Tests.Pretraining;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class PerplexityCliTests
{
    [TestMethod]
    public void PerplexityWritesATableACsvAndAChart()
    {
        var model = TinyCliModel.Get().ModelPath;
        using var scratch = new ScratchFolder();
        var document = scratch.File("doc.txt");
        File.WriteAllText(document, string.Join(" ", PretrainTestData.Documents)); // ~330 bytes
        var outFolder = Path.Combine(scratch.Path, "report");

        var (code, output, error) = CliRunner.Run("perplexity", "--model", model, "--data", document, "--context-lengths", "64,16,32", "--out", outFolder);

        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "context");
        var csv = CsvTable.Load(Path.Combine(outFolder, PerplexityCommand.CsvFileName));
        CollectionAssert.AreEqual(new[] { "context_length", "perplexity", "scored_tokens" }, csv.Header.ToArray());
        Assert.HasCount(3, csv.Rows);
        CollectionAssert.AreEqual(new[] { 16.0, 32.0, 64.0 }, Enumerable.Range(0, 3).Select(r => csv.GetDouble(r, "context_length")).ToArray());
        for (int r = 0; r < 3; r++)
        {
            Assert.IsGreaterThan(1.0, csv.GetDouble(r, "perplexity"));
            // Every length scores the same tokens.
            Assert.AreEqual(csv.Get(0, "scored_tokens"), csv.Get(r, "scored_tokens"));
        }
        var png = File.ReadAllBytes(Path.Combine(outFolder, PerplexityCommand.PngFileName));
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
    }

    [TestMethod]
    public void ADocumentShorterThanTheLongestContextSaysHowManyTokensItHas()
    {
        var model = TinyCliModel.Get().ModelPath;
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("short.txt"), "twenty bytes of text");
        var (code, _, error) = CliRunner.Run("perplexity", "--model", model, "--data", scratch.File("short.txt"), "--context-lengths", "16,64", "--out", scratch.Path);
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "has 20 tokens");
        StringAssert.Contains(error, "longest context length 64");
    }

    [TestMethod]
    public void MissingModelOrDocumentIsAClearError()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("doc.txt"), "text");
        var (code, _, error) = CliRunner.Run("perplexity", "--model", scratch.File("absent.zip"), "--data", scratch.File("doc.txt"));
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "not found");

        (code, _, error) = CliRunner.Run("perplexity", "--model", TinyCliModel.Get().ModelPath, "--data", scratch.File("absent.txt"));
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "document");
        StringAssert.Contains(error, "not found");
    }

    [TestMethod]
    [DataRow("--data", "d.txt")]
    [DataRow("--model", "m.zip")]
    [DataRow("--model", "m.zip", "--data", "d.txt", "--context-lengths", "16,x")]
    [DataRow("--model", "m.zip", "--data", "d.txt", "--context-lengths", "0")]
    public void BadArgumentsExitTwo(params string[] args)
    {
        var (code, _, error) = CliRunner.Run(["perplexity", .. args]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "Usage: megalodon perplexity");
    }
}
