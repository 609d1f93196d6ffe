using Megalodon.Cli.Progress;
using Megalodon.ML.Training;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class ProgressFormatTests
{
    private static TrainingProgress At(long step, long total, double? validation = null) => new(
        step, total, Loss: 2.5, LearningRate: 1e-3, GradientNorm: 1, TokensPerSecond: 12345, TokensSeen: step * 100,
        Elapsed: TimeSpan.FromSeconds(75), EstimatedRemaining: TimeSpan.FromSeconds(3725),
        LastValidation: validation is { } v ? new ValidationResult(step, v, Math.Exp(v), 10) : null, SkippedSteps: 0);

    [TestMethod]
    public void TheBarShowsStepsLossSpeedAndEtaWithinTheTerminalWidth()
    {
        var line = TrainingProgressBar.Format(At(120, 1500, validation: 2.25), 100);
        Assert.IsLessThan(100, line.Length);
        StringAssert.StartsWith(line, " 120/1500 [");
        foreach (var part in new[] { "8%", "loss 2.500", "valid 2.250", "12,345 tok/s", "ETA 1:02:05" })
            StringAssert.Contains(line, part);
        // A narrow terminal cuts the line rather than wrapping it.
        Assert.IsLessThan(40, TrainingProgressBar.Format(At(1, 10), 40).Length);
    }

    [TestMethod]
    public void TheBarRedrawsInPlaceAndEndsItsLine()
    {
        var writer = new StringWriter();
        var bar = new TrainingProgressBar(writer, 80);
        bar.Report(At(1, 2));
        bar.Report(At(2, 2));
        bar.Finish();
        var text = writer.ToString();
        Assert.AreEqual(2, text.Count(c => c == '\r'), text);
        StringAssert.EndsWith(text, Environment.NewLine);
    }

    [TestMethod]
    public void PlainLinesComeEveryFivePercentAndAtTheEnd()
    {
        var writer = new StringWriter();
        var lines = new TrainingProgressLines(writer);
        for (long step = 1; step <= 207; step++) lines.Report(At(step, 207));
        var written = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(21, written); // every 10 steps, plus step 207
        StringAssert.StartsWith(written[0], "step 10/207 (5%)  loss 2.5000");
        StringAssert.StartsWith(written[^1], "step 207/207 (100%)");
        StringAssert.Contains(written[0], "elapsed 1:15  ETA 1:02:05");
    }
}
