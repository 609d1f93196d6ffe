using Megalodon.Samples.EmbeddingsClassifier;

namespace Megalodon.ML.Tests.Samples;

[TestClass]
public sealed class EmbeddingsClassifierSampleTests
{
    [TestMethod]
    public void TheSampleRunsAndPrintsItsMetrics()
    {
        var output = new StringWriter();
        var metrics = EmbeddingsClassifierSample.Run(output);

        var text = output.ToString();
        foreach (var part in new[] { "MicroAccuracy", "MacroAccuracy", "LogLoss", "Confusion table", "Saved, reloaded and predicted" })
            StringAssert.Contains(text, part);
        Assert.IsTrue(metrics.MicroAccuracy is >= 0 and <= 1, text);
        Assert.AreEqual(SampleSentences.Categories.Count, metrics.ConfusionMatrix.NumberOfClasses);
    }
}
