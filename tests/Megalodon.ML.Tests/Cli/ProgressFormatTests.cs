using Megalodon.Cli.Commands;
using Megalodon.Cli.Progress;
using Spectre.Console.Testing;
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
    public void TheLiveBarTextShowsStepsLossSpeedAndEta()
    {
        var text = TrainingProgressText.Describe(At(120, 1500, validation: 2.25));
        Assert.AreEqual("step 120/1500  loss 2.500  valid 2.250  12,345 tok/s  ETA 1:02:05", text);
    }

    [TestMethod]
    public void OnATerminalTheProgressIsASpectreBarThatReachesTheEnd()
    {
        var terminal = new TestConsole().Interactive().EmitAnsiSequences().Width(120);
        using var console = new TrainingConsole(TextWriter.Null, terminal);
        var result = console.Track("training", () =>
        {
            console.Progress.Report(At(1, 2));
            console.Progress.Report(At(2, 2));
            return 42;
        });
        Assert.AreEqual(42, result);
        StringAssert.Contains(terminal.Output, "step 2/2");
        StringAssert.Contains(terminal.Output, "100%");
    }

    [TestMethod]
    public void WithoutATerminalTheProgressIsPlainLinesOnTheWriter()
    {
        var writer = new StringWriter();
        using var console = new TrainingConsole(writer);
        console.Track("training", () => { console.Progress.Report(At(2, 2)); return 0; });
        StringAssert.StartsWith(writer.ToString(), "step 2/2 (100%)");
        Assert.DoesNotContain("\u001b", writer.ToString());
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
