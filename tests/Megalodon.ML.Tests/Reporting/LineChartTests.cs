using Megalodon.ML.Reporting;

namespace Megalodon.ML.Tests.Reporting;

[TestClass]
public sealed class LineChartTests
{
    private static readonly double[] ContextLengths = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
    private static readonly Rgba Red = new(230, 0, 0);
    private static readonly Rgba Green = new(0, 170, 0);
    private static readonly Rgba Blue = new(0, 0, 230);

    private static PngTestReader SaveAndRead(LineChart chart)
    {
        var path = Path.Combine(Path.GetTempPath(), $"megalodon-linechart-{Guid.NewGuid():N}.png");
        try
        {
            chart.Save(path);
            return PngTestReader.Read(path);
        }
        finally { File.Delete(path); }
    }

    private static List<(int X, int Y)> PixelsOf(PngTestReader png, Rgba color)
    {
        var found = new List<(int, int)>();
        for (var y = 0; y < png.Height; y++)
            for (var x = 0; x < png.Width; x++)
                if (png.Pixel(x, y) == (color.R, color.G, color.B, color.A)) found.Add((x, y));
        return found;
    }

    [TestMethod]
    [DataRow(AxisScale.Log2)]
    [DataRow(AxisScale.Log10)]
    public void LogXChartPlotsTheLineAcrossThePlotArea(AxisScale scale)
    {
        var chart = new LineChart("Perplexity vs context length") { XLabel = "context length", YLabel = "perplexity", XScale = scale, Width = 640, Height = 400 };
        chart.AddSeries("model", ContextLengths, [9.8, 8.9, 8.1, 7.5, 7.1, 6.8, 6.6, 6.45, 6.4], Red);
        var png = SaveAndRead(chart);
        Assert.AreEqual(640, png.Width);
        Assert.AreEqual(400, png.Height);
        var line = PixelsOf(png, Red).Where(p => p.Y > 60 && p.Y < 330).ToList(); // below the title, above the axis labels
        Assert.IsGreaterThan(300, line.Count, "line pixels drawn");
        Assert.IsGreaterThan(0.6 * png.Width, line.Max(p => p.X) - line.Min(p => p.X), "line spans most of the width");
        // Perplexity falls with length: the line's left end sits higher (smaller y) than its right end.
        var leftEnd = line.Where(p => p.X < line.Min(q => q.X) + 5).Average(p => p.Y);
        var rightEnd = line.Where(p => p.X > line.Max(q => q.X) - 5).Average(p => p.Y);
        Assert.IsLessThan(rightEnd, leftEnd);
    }

    [TestMethod]
    public void LogAxisPlacesEqualRatiosAtEqualDistances()
    {
        // Three one-point series: lone points draw as markers, whose centres we locate by colour.
        var chart = new LineChart { XScale = AxisScale.Log2, ShowLegend = false };
        chart.AddSeries("a", [256], [1], Red, MarkerShape.Square);
        chart.AddSeries("b", [4096], [1], Green, MarkerShape.Square);
        chart.AddSeries("c", [65536], [1], Blue, MarkerShape.Square);
        var png = SaveAndRead(chart);
        var a = PixelsOf(png, Red).Average(p => p.X);
        var b = PixelsOf(png, Green).Average(p => p.X);
        var c = PixelsOf(png, Blue).Average(p => p.X);
        Assert.AreEqual((a + c) / 2, b, 1.0);
        Assert.IsGreaterThan(300, c - a);
    }

    [TestMethod]
    public void NaNPointsAreSkippedAndBreakTheLine()
    {
        var chart = new LineChart("gaps") { ShowMarkers = false, ShowLegend = false };
        chart.AddSeries("s", [0, 1, 2, 3, 4], [0, 1, double.NaN, 3, 4], Red);
        var png = SaveAndRead(chart);
        var red = PixelsOf(png, Red);
        Assert.IsNotEmpty(red);
        // No red between x = 1 and x = 3 in data terms: the middle fifth of the red extent is empty.
        double lo = red.Min(p => p.X), hi = red.Max(p => p.X);
        Assert.IsFalse(red.Any(p => p.X > lo + 0.35 * (hi - lo) && p.X < lo + 0.65 * (hi - lo)), "line bridged the NaN gap");
    }

    [TestMethod]
    public void ChartWithLegendAndMarkersRendersAllSeriesColours()
    {
        var chart = new LineChart("two") { XScale = AxisScale.Log2 };
        chart.AddSeries("first", ContextLengths, ContextLengths.Select(x => Math.Log(x)).ToArray(), Red);
        chart.AddSeries("second", ContextLengths, ContextLengths.Select(x => 20 - Math.Log(x)).ToArray(), Blue);
        chart.AddSeries("empty", [], []);
        var png = SaveAndRead(chart);
        Assert.IsGreaterThan(200, PixelsOf(png, Red).Count);
        Assert.IsGreaterThan(200, PixelsOf(png, Blue).Count);
    }

    [TestMethod]
    public void MismatchedLengthsThrowNamingTheSeriesAndCounts()
    {
        var chart = new LineChart();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => chart.AddSeries("ppl", [1, 2, 3], [1, 2]));
        StringAssert.Contains(ex.Message, "'ppl'");
        StringAssert.Contains(ex.Message, "x has 3 values but y has 2");
    }

    [TestMethod]
    public void NoDataAtAllThrowsWithAClearMessage()
    {
        var none = Assert.ThrowsExactly<ArgumentException>(() => new LineChart("t").Render());
        StringAssert.Contains(none.Message, "no series");

        var chart = new LineChart("t").AddSeries("empty", [], []).AddSeries("nan", [1, 2], [double.NaN, double.NaN]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => chart.Save(Path.Combine(Path.GetTempPath(), "never-written.png")));
        StringAssert.Contains(ex.Message, "no data to plot");

        var log = new LineChart { XScale = AxisScale.Log10 }.AddSeries("neg", [-1, 0], [1, 2]);
        var lx = Assert.ThrowsExactly<ArgumentException>(() => log.Render());
        StringAssert.Contains(lx.Message, "log axis");
    }
}
