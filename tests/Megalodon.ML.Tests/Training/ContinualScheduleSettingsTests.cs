using Megalodon.ML.Training;

namespace Megalodon.ML.Tests.Training;

/// <summary>The continual schedule kinds at their phase boundaries (the schedule classes themselves are tested elsewhere).</summary>
[TestClass]
public sealed class ContinualScheduleSettingsTests
{
    private const long T = 1000;
    private const double Max = 1e-3;
    private static readonly ContinualScheduleSettings Settings = new() { MaxLearningRate = Max };

    private static void AreClose(double expected, double actual, string what) => Assert.AreEqual(expected, actual, 1e-12, what);

    [TestMethod]
    public void ReWarmReDecayWarmsOverOnePercentAndDecaysToATenthOfMax()
    {
        var s = Settings.Create(ContinualScheduleKind.ReWarmReDecay, T);
        AreClose(0, s.LearningRate(0), "start");
        AreClose(Max / 2, s.LearningRate(5), "half-way up");
        AreClose(Max, s.LearningRate(10), "end of warm-up");
        AreClose((Max + 0.1 * Max) / 2, s.LearningRate(505), "cosine mid-point");
        AreClose(0.1 * Max, s.LearningRate(T), "end");
    }

    [TestMethod]
    public void ConstantIsTheMinimumUnlessGiven()
    {
        var s = Settings.Create(ContinualScheduleKind.Constant, T);
        AreClose(0.1 * Max, s.LearningRate(0), "start");
        AreClose(0.1 * Max, s.LearningRate(T - 1), "end");
        AreClose(4e-4, (Settings with { ConstantLearningRate = 4e-4 }).Create(ContinualScheduleKind.Constant, T).LearningRate(500), "given");
    }

    [TestMethod]
    [DataRow(ContinualScheduleKind.CosineInf)]
    [DataRow(ContinualScheduleKind.InvSqrtInf)]
    public void InfiniteSchedulesHitTheirPhaseBoundaries(ContinualScheduleKind kind)
    {
        var s = Settings.Create(kind, T);
        var constant = 0.55 * Max;
        // Warm-up ends at 10, cooldown at 600, the anneal runs from 10 + round(0.85 · 990) = 852 to 1000.
        AreClose(0, s.LearningRate(0), "start");
        AreClose(Max, s.LearningRate(10), "end of warm-up");
        AreClose(constant, s.LearningRate(600), "end of cooldown");
        AreClose(constant, s.LearningRate(852), "start of anneal");
        AreClose(constant * Math.Sqrt(0.1 * Max / constant), s.LearningRate(926), "anneal mid-point (geometric)");
        AreClose(0.1 * Max, s.LearningRate(T), "end of anneal");
        double g(double x) => 1 / Math.Sqrt(1 + 10 * x) - 1;
        var mid = kind == ContinualScheduleKind.CosineInf ? constant + 0.5 * (Max - constant) : Max + (constant - Max) * g(0.5) / g(1);
        AreClose(mid, s.LearningRate(305), "cooldown mid-point");
    }

    [TestMethod]
    public void WithoutAnAnnealTheConstantPhaseNeverEnds()
    {
        var s = (Settings with { AnnealStartFraction = null, CooldownEndFraction = 0.3 }).Create(ContinualScheduleKind.CosineInf, T);
        AreClose(0.55 * Max, s.LearningRate(300), "end of cooldown");
        AreClose(0.55 * Max, s.LearningRate(10 * T), "far beyond the run");
    }
}
