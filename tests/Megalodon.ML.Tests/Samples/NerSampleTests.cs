using Megalodon.Samples.Ner;

namespace Megalodon.ML.Tests.Samples;

[TestClass]
public sealed class NerSampleTests
{
    [TestMethod]
    public void TheSampleRunsEndToEndAtATinyBudget()
    {
        using var scratch = new ScratchFolder();
        var output = new StringWriter();
        var metrics = NerSample.Run(output, new NerSampleOptions { MlmSteps = 4, MaxEpochs = 2, OutputFolder = scratch.Path });

        var text = output.ToString();
        foreach (var part in new[] { "Read 96 training sentences", "no repairs", "Pretrained the encoder", "dev entity F1", "Fine-tuned: kept epoch",
                     "output key type of 7 keys", "Test: entity F1", "Saved, reloaded and predicted" })
            StringAssert.Contains(text, part, text);
        Assert.IsTrue(metrics.F1 is >= 0 and <= 1, text);
        Assert.AreEqual(24, metrics.SentenceCount);
        Assert.IsTrue(File.Exists(Path.Combine(scratch.Path, "ner.zip")));
        Assert.IsTrue(Directory.GetFiles(Path.Combine(scratch.Path, "mlm-checkpoints")).Length == 2);
    }
}
