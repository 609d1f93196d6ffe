using Megalodon.ML.Reporting;

namespace Megalodon.ML.Tests.Reporting;

[TestClass]
public sealed class ChartAxisTests
{
    [TestMethod]
    [DataRow(10.0, 5, 2.0)]
    [DataRow(1.0, 10, 0.1)]
    [DataRow(7.3, 4, 2.0)]
    [DataRow(260.0, 6, 50.0)]
    [DataRow(0.03, 3, 0.01)]
    public void NiceStepIsOneTwoOrFiveTimesAPowerOfTen(double span, int maxTicks, double expected) =>
        Assert.AreEqual(expected, ChartAxis.NiceStep(span, maxTicks), expected * 1e-12);

    [TestMethod]
    public void LinearTicksAreExactMultiplesWithoutDrift()
    {
        var ticks = ChartAxis.LinearTicks(-0.05, 0.95, 0.1);
        Assert.HasCount(10, ticks);
        Assert.AreEqual(0, ticks[0]);
        Assert.AreEqual("0.3", ChartAxis.FormatLinear(ticks[3], 0.1));
        Assert.AreEqual("0.9", ChartAxis.FormatLinear(ticks[9], 0.1));
    }

    [TestMethod]
    public void Log2AxisOverContextLengthsTicksAtPowersOfTwo()
    {
        var axis = ChartAxis.Create(256, 65536, AxisScale.Log2, lengthPixels: 800, pixelsPerTick: 80);
        CollectionAssert.AreEqual(new[] { 256.0, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536 }, axis.Ticks.ToArray());
        Assert.AreEqual("65536", axis.Labels[^1]);
        // Equal ratios sit at equal distances.
        Assert.AreEqual(axis.ToPixel(4096, 0, 800) - axis.ToPixel(256, 0, 800), axis.ToPixel(65536, 0, 800) - axis.ToPixel(4096, 0, 800), 1e-9);
    }

    [TestMethod]
    public void Log2TicksThinToEveryOtherPowerWhenShort()
    {
        var axis = ChartAxis.Create(256, 65536, AxisScale.Log2, lengthPixels: 400, pixelsPerTick: 80);
        CollectionAssert.AreEqual(new[] { 256.0, 1024, 4096, 16384, 65536 }, axis.Ticks.ToArray());
    }

    [TestMethod]
    public void Log10AxisOverFewDecadesUsesOneTwoFive()
    {
        var axis = ChartAxis.Create(256, 65536, AxisScale.Log10, lengthPixels: 800, pixelsPerTick: 80);
        // The 5% padding reaches below 200 on the left.
        CollectionAssert.AreEqual(new[] { 200.0, 500, 1000, 2000, 5000, 10000, 20000, 50000 }, axis.Ticks.ToArray());
        var wide = ChartAxis.Create(1e-3, 1e9, AxisScale.Log10, lengthPixels: 400, pixelsPerTick: 80);
        Assert.IsTrue(wide.Ticks.All(t => Math.Abs(Math.Log10(t) - Math.Round(Math.Log10(t))) < 1e-9), "powers of ten only");
        Assert.IsLessThanOrEqualTo(5, wide.Ticks.Count);
        Assert.Contains("1e6", wide.Labels);
    }

    [TestMethod]
    public void ShortAxesStillGetTwoTicks()
    {
        var axis = ChartAxis.Create(-1e-5, 3e-5, AxisScale.Linear, lengthPixels: 70, pixelsPerTick: 48);
        Assert.IsGreaterThanOrEqualTo(2, axis.Ticks.Count);
        Assert.Contains("2e-5", axis.Labels);
    }

    [TestMethod]
    public void ConstantDataStillGetsARangeAndTicks()
    {
        var axis = ChartAxis.Create(5, 5, AxisScale.Linear, 400, 60);
        Assert.IsGreaterThanOrEqualTo(2, axis.Ticks.Count);
        Assert.AreEqual(200, axis.ToPixel(5, 0, 400), 1e-9);
    }
}
