using Megalodon.ML.Training;

namespace Megalodon.ML.Tests.Training;

[TestClass]
public sealed class LearningRateScheduleTests
{
    private const double Tol = 1e-15;

    /// <summary>Asserts non-increasing (or non-decreasing) values over [from, to].</summary>
    private static void AssertMonotone(LearningRateSchedule s, long from, long to, bool increasing)
    {
        for (var t = from; t < to; t++)
        {
            double a = s.LearningRate(t), b = s.LearningRate(t + 1);
            Assert.IsTrue(increasing ? b >= a : b <= a, $"{s}: step {t} → {t + 1}: {a} → {b}");
        }
    }

    [TestMethod]
    public void ReferenceLinearMatchesTheReferenceMultipliers()
    {
        var s = new ReferenceSchedule(totalSteps: 100, ReferenceDecay.Linear, peakLearningRate: 1e-3, warmupSteps: 10);
        Assert.AreEqual(1e-4, s.Multiplier(0), Tol);                          // init ratio
        Assert.AreEqual(1e-4 + 5 * (1 - 1e-4) / 10, s.Multiplier(5), Tol);    // mid warm-up
        Assert.AreEqual(1.0, s.Multiplier(10), Tol);                          // end of warm-up: s = 0
        Assert.AreEqual(0.5 * 0.01 + 0.5, s.Multiplier(55), Tol);             // s = 0.5
        Assert.AreEqual(0.01, s.Multiplier(100), Tol);                        // s = 1
        Assert.AreEqual(0.01, s.Multiplier(101), Tol);                        // after total
        Assert.AreEqual(0.01, s.Multiplier(10_000), Tol);
        Assert.AreEqual(1e-3 * s.Multiplier(37), s.LearningRate(37), Tol);
        AssertMonotone(s, 0, 10, increasing: true);
        AssertMonotone(s, 10, 200, increasing: false);
    }

    [TestMethod]
    public void ReferenceCosineMatchesTheReferenceMultipliers()
    {
        var s = new ReferenceSchedule(totalSteps: 110, ReferenceDecay.Cosine, warmupSteps: 10);
        Assert.AreEqual(1e-4, s.Multiplier(0), Tol);
        Assert.AreEqual(1.0, s.Multiplier(10), Tol);
        Assert.AreEqual(0.01 + 0.5 * 0.99, s.Multiplier(60), 1e-12);          // s = 0.5: cos(π/2) = 0
        Assert.AreEqual(0.01, s.Multiplier(110), 1e-12);
        Assert.AreEqual(0.01, s.Multiplier(111), Tol);
        AssertMonotone(s, 0, 10, increasing: true);
        AssertMonotone(s, 10, 150, increasing: false);

        // Two cycles reach the end ratio half-way and come back to 1 at the total; after it, the end ratio regardless.
        var two = new ReferenceSchedule(totalSteps: 110, ReferenceDecay.Cosine, warmupSteps: 10, cycles: 2);
        Assert.AreEqual(0.01, two.Multiplier(60), 1e-12);
        Assert.AreEqual(1.0, two.Multiplier(110), 1e-12);
        Assert.AreEqual(0.01, two.Multiplier(111), Tol);
    }

    [TestMethod]
    public void ReferenceConstantStaysAtOneForever()
    {
        var s = new ReferenceSchedule(totalSteps: 0, ReferenceDecay.Constant, warmupSteps: 4);
        Assert.AreEqual(1e-4, s.Multiplier(0), Tol);
        Assert.AreEqual(1.0, s.Multiplier(4), Tol);
        Assert.AreEqual(1.0, s.Multiplier(1_000_000), Tol);
        AssertMonotone(s, 0, 4, increasing: true);
    }

    [TestMethod]
    public void ReferenceDefaultsAreTheRepositoryDefaults()
    {
        var s = new ReferenceSchedule(totalSteps: 10_000);
        Assert.AreEqual(ReferenceDecay.Linear, s.Decay);
        Assert.AreEqual(1e-3, s.PeakLearningRate);
        Assert.AreEqual(2000, s.WarmupSteps);
        Assert.AreEqual(1e-4, s.InitRatio);
        Assert.AreEqual(0.01, s.EndRatio);
        Assert.AreEqual(1.0, s.Cycles);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ReferenceSchedule(totalSteps: 2000));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s.LearningRate(-1));
    }

    [TestMethod]
    public void RewarmCosineWarmsToMaxThenDecaysToTenPercent()
    {
        var s = RewarmCosineSchedule.FromFraction(totalSteps: 1000, maxLearningRate: 3e-4);
        Assert.AreEqual(10, s.WarmupSteps);                                   // 1%
        Assert.AreEqual(3e-5, s.MinLearningRate, 1e-20);                      // 0.1 × max
        Assert.AreEqual(0.0, s.LearningRate(0), Tol);
        Assert.AreEqual(1.5e-4, s.LearningRate(5), Tol);
        Assert.AreEqual(3e-4, s.LearningRate(10), Tol);
        Assert.AreEqual(3e-5 + 0.5 * 2.7e-4, s.LearningRate(505), 1e-15);
        Assert.AreEqual(3e-5, s.LearningRate(1000), Tol);
        Assert.AreEqual(3e-5, s.LearningRate(5000), Tol);
        AssertMonotone(s, 0, 10, increasing: true);
        AssertMonotone(s, 10, 1200, increasing: false);

        var repeated = RewarmCosineSchedule.RepeatedFromMinimum(totalSteps: 1000, maxLearningRate: 3e-4);
        Assert.AreEqual(3e-5, repeated.LearningRate(0), Tol);
        Assert.AreEqual(3e-4, repeated.LearningRate(10), Tol);

        var none = RewarmCosineSchedule.FromFraction(totalSteps: 100, maxLearningRate: 1e-3, warmupFraction: 0);
        Assert.AreEqual(1e-3, none.LearningRate(0), Tol);
    }

    [TestMethod]
    public void ConstantScheduleIsConstantAfterWarmup()
    {
        var s = new ConstantSchedule(3e-5);
        Assert.AreEqual(3e-5, s.LearningRate(0));
        Assert.AreEqual(3e-5, s.LearningRate(123456));
        var w = new ConstantSchedule(1e-3, warmupSteps: 4);
        Assert.AreEqual(0.0, w.LearningRate(0));
        Assert.AreEqual(5e-4, w.LearningRate(2), Tol);
        Assert.AreEqual(1e-3, w.LearningRate(4));
        AssertMonotone(w, 0, 10, increasing: true);
    }

    [TestMethod]
    public void CosineInfHasEveryPhaseBoundary()
    {
        // T = 1000: warm-up 10, cooldown end 600, anneal start 10 + round(0.85·990) = 852, anneal end 1000.
        var s = InfiniteSchedule.CosineInf(totalSteps: 1000);
        Assert.AreEqual(10, s.WarmupSteps);
        Assert.AreEqual(600, s.CooldownEndStep);
        Assert.AreEqual(852, s.AnnealStartStep);
        Assert.AreEqual(1000, s.AnnealEndStep);

        Assert.AreEqual(0.0, s.LearningRate(0), Tol);
        Assert.AreEqual(1.5e-4, s.LearningRate(5), Tol);
        Assert.AreEqual(3e-4, s.LearningRate(10), Tol);                        // warm-up end = cooldown start
        Assert.AreEqual(1.65e-4 + 0.5 * (3e-4 - 1.65e-4), s.LearningRate(305), 1e-15); // cooldown mid-point
        Assert.AreEqual(1.65e-4, s.LearningRate(600), 1e-15);                  // cooldown end
        Assert.AreEqual(1.65e-4, s.LearningRate(601), Tol);                    // constant phase
        Assert.AreEqual(1.65e-4, s.LearningRate(852), Tol);                    // anneal start
        Assert.AreEqual(1.65e-4 * Math.Sqrt(3e-5 / 1.65e-4), s.LearningRate(926), 1e-15); // geometric mid-point
        Assert.AreEqual(3e-5, s.LearningRate(1000), Tol);                      // anneal end
        Assert.AreEqual(3e-5, s.LearningRate(2000), Tol);

        AssertMonotone(s, 0, 10, increasing: true);
        AssertMonotone(s, 10, 600, increasing: false);
        AssertMonotone(s, 600, 1100, increasing: false);
        for (var t = 601; t <= 852; t++) Assert.AreEqual(1.65e-4, s.LearningRate(t), Tol);
    }

    [TestMethod]
    public void InvSqrtInfCoolsDownSteeplyFirst()
    {
        var s = InfiniteSchedule.InvSqrtInf(totalSteps: 1000);
        Assert.AreEqual(CooldownShape.InverseSqrt, s.Shape);
        Assert.AreEqual(10.0, s.Timescale);
        Assert.AreEqual(3e-4, s.LearningRate(10), Tol);
        Assert.AreEqual(1.65e-4, s.LearningRate(600), 1e-15);
        // g(x) = 1/sqrt(1 + 10x) − 1; at s = 0.5 the fraction covered is g(0.5)/g(1).
        var g = (double x) => 1 / Math.Sqrt(1 + 10 * x) - 1;
        Assert.AreEqual(3e-4 + (1.65e-4 - 3e-4) * g(0.5) / g(1), s.LearningRate(305), 1e-15);
        // Steeper than cosine early on: more than half the drop happens in the first quarter.
        var quarter = s.LearningRate(10 + 590 / 4);
        Assert.IsTrue(3e-4 - quarter > 0.5 * (3e-4 - 1.65e-4));
        AssertMonotone(s, 10, 1100, increasing: false);
        Assert.AreEqual(3e-5, s.LearningRate(1000), Tol);
    }

    [TestMethod]
    public void InfiniteScheduleWithoutAnnealStaysConstant()
    {
        var s = new InfiniteSchedule(CooldownShape.Linear, 1e-3, 5e-4, 1e-4, warmupSteps: 2, cooldownEndStep: 12);
        Assert.AreEqual(1e-3, s.LearningRate(2), Tol);
        Assert.AreEqual(7.5e-4, s.LearningRate(7), 1e-15);
        Assert.AreEqual(5e-4, s.LearningRate(12), Tol);
        Assert.AreEqual(5e-4, s.LearningRate(10_000_000), Tol);

        // Anneal a copy for deployment; the original keeps its constant phase.
        var annealed = s.WithAnneal(100, 200);
        Assert.AreEqual(5e-4, annealed.LearningRate(100), Tol);
        Assert.AreEqual(1e-4, annealed.LearningRate(200), Tol);
        Assert.AreEqual(5e-4, s.LearningRate(200), Tol);
        Assert.AreEqual(5e-4, annealed.WithoutAnneal().LearningRate(200), Tol);

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new InfiniteSchedule(CooldownShape.Cosine, 1e-3, 5e-4, 1e-4, 5, 5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new InfiniteSchedule(CooldownShape.Cosine, 1e-3, 5e-4, 1e-4, 2, 10, 9, 20));
        Assert.ThrowsExactly<ArgumentException>(() => new InfiniteSchedule(CooldownShape.Cosine, 1e-3, 5e-4, 1e-4, 2, 10, 12, null));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new InfiniteSchedule(CooldownShape.Cosine, 1e-3, 2e-3, 1e-4, 2, 10));
    }

    [TestMethod]
    public void SequentialScheduleRestartsEachSegment()
    {
        var task = RewarmCosineSchedule.RepeatedFromMinimum(totalSteps: 100, maxLearningRate: 1e-3, warmupFraction: 0.1);
        var s = new SequentialSchedule((task, 100), (task, 100), (task, 100));
        CollectionAssert.AreEqual(new long[] { 0, 100, 200 }, s.SegmentStarts.ToArray());
        Assert.AreEqual(task.LearningRate(0), s.LearningRate(0));
        Assert.AreEqual(task.LearningRate(99), s.LearningRate(99));
        Assert.AreEqual(task.LearningRate(0), s.LearningRate(100));           // re-warm
        Assert.AreEqual(task.LearningRate(10), s.LearningRate(210));
        Assert.AreEqual(task.LearningRate(150), s.LearningRate(350));         // the last segment runs on
        Assert.AreEqual(1e-4, s.LearningRate(100), Tol);
    }

    [TestMethod]
    public void DescriptionsNameEveryParameter()
    {
        StringAssert.Contains(new ReferenceSchedule(100, warmupSteps: 10).ToString(), "warmup=10");
        StringAssert.Contains(InfiniteSchedule.CosineInf(1000).ToString(), "annealStart=852");
        StringAssert.Contains(new ConstantSchedule(0.5).ToString(), "lr=0.5");
    }
}
