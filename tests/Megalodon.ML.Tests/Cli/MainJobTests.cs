using System.Globalization;
using Megalodon.Cli;
using Megalodon.ML.Data;
using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class MainJobTests
{
    [TestMethod]
    public void MainJobDefaultsAreAValidRun()
    {
        var config = MainJobDefaults.Config.Validate();
        config.CheckSequenceLength(MainJobDefaults.SequenceLength);
        Assert.AreEqual(ModelTokenizer.ByteLevel().VocabSize, config.VocabSize);
        MainJobDefaults.Corpus.Validate();
        MainJobDefaults.ProbeCorpus.Validate();
        Assert.AreNotEqual(MainJobDefaults.Corpus.Seed, MainJobDefaults.ProbeCorpus.Seed, "the probe must use held-out documents");
        // Every recall must cross an attention chunk boundary, and fit the training window.
        Assert.IsGreaterThan(config.ChunkSize, MainJobDefaults.Corpus.MinRecallDistance);
        Assert.IsLessThan(MainJobDefaults.SequenceLength, MainJobDefaults.Corpus.MaxRecallDistance);
        Assert.IsLessThan(MainJobDefaults.Steps, (long)MainJobDefaults.WarmupSteps);
        Assert.IsGreaterThan(0.0, ChanceLoss);
    }

    // Derived rather than written out, so tuning MainJobDefaults does not break these tests.
    private static double ChanceLoss => new SyntheticCorpus(MainJobDefaults.ProbeCorpus with { DocumentCount = 1 }).ChanceRecallLoss;

    [TestMethod]
    public void MainJobWithAStepOverrideTrainsOnTheSyntheticCorpusAndProbesRecall()
    {
        using var scratch = new ScratchFolder();
        var model = scratch.File("main.zip");
        // The full main job is minutes of CPU; two short steps exercise the same path.
        int chunk = MainJobDefaults.Config.ChunkSize;
        int sequenceLength = Math.Max(1, 64 / chunk) * chunk;
        var (code, output, error) = CliRunner.Run("pretrain", "--steps", "2", "--seq-len", $"{sequenceLength}", "--batch", "2", "--sample-tokens", "8", "--out", model);

        Assert.AreEqual(0, code, output + error);
        Assert.IsTrue(File.Exists(model));
        StringAssert.Contains(output, $"embedded synthetic corpus (main job): {MainJobDefaults.Corpus.DocumentCount} documents");
        StringAssert.Contains(output, $"main-job config (tiny, chunk {chunk})");
        StringAssert.Contains(output, "byte tokenizer");
        StringAssert.Contains(output, $"2 steps of 2 x {sequenceLength} tokens");
        StringAssert.Contains(output, "recall loss ");
        StringAssert.Contains(output, string.Create(CultureInfo.InvariantCulture, $"vs chance {ChanceLoss:F2}"));
        // Two steps cannot learn recall, and the verdict must say so.
        StringAssert.Contains(output, "not below chance");
        StringAssert.Contains(output, MainJobDefaults.SamplePrompt);
    }
}
