using Megalodon.Reports;
using SkiaSharp;

namespace Megalodon.ML.Tests.Reports;

/// <summary>
/// The ScottPlot charts render through SkiaSharp's native library on this machine: each test decodes the PNG it wrote
/// and checks its size and that ink (lines, cells, text) was drawn where it belongs.
/// </summary>
[TestClass]
public sealed class ChartRenderingTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static SKBitmap DecodePng(byte[] png, int width, int height)
    {
        CollectionAssert.AreEqual(PngSignature, png.Take(8).ToArray(), "PNG signature");
        var bitmap = SKBitmap.Decode(png);
        Assert.IsNotNull(bitmap, "the bytes decode as an image");
        Assert.AreEqual(width, bitmap.Width);
        Assert.AreEqual(height, bitmap.Height);
        return bitmap;
    }

    /// <summary>Pixels clearly darker than the white background in a band of rows.</summary>
    private static int DarkPixels(SKBitmap bitmap, int top, int bottom)
    {
        int count = 0;
        for (int y = top; y < bottom; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 3 * 128) count++;
            }
        return count;
    }

    [TestMethod]
    public void ALineChartIsAPngOfTheRequestedSizeWithItsTitleDrawn()
    {
        var chart = new LineChart("Validation loss — seed 1, ü") { XLabel = "step", YLabel = "loss", Width = 800, Height = 500 };
        chart.AddSeries("megalodon", [0, 1, 2, 3], [3.0, 2.5, 2.2, 2.1]);
        chart.AddSeries("llama", [0, 1, 2, 3], [3.0, 2.7, 2.4, 2.3]);
        using var bitmap = DecodePng(chart.ToPng(), 800, 500);
        // The title's glyphs are drawn (a font was found): dark pixels in the top band, where nothing else is.
        Assert.IsGreaterThan(50, DarkPixels(bitmap, 0, 40));
    }

    [TestMethod]
    public void SaveWritesTheSamePngToAFileInANewFolder()
    {
        using var scratch = new ScratchFolder();
        var path = Path.Combine(scratch.Path, "charts", "curve.png");
        var chart = new LineChart("t") { XScale = AxisScale.Log2, Width = 640, Height = 400 };
        // Points a log axis cannot show (0, negative, NaN) are left out instead of failing.
        chart.AddSeries("ppl", [0, 256, 512, 1024, 2048], [9, 6.5, double.NaN, 5.9, 5.7]);
        chart.Save(path);
        using var bitmap = DecodePng(File.ReadAllBytes(path), 640, 400);
    }

    [TestMethod]
    public void SeriesOfUnequalLengthAreRejected()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new LineChart().AddSeries("s", [1, 2], [1]));
        StringAssert.Contains(ex.Message, "'s'");
    }

    [TestMethod]
    public void AHeatmapIsAPngOfTheRequestedSizeWithItsCellsColoured()
    {
        var heatmap = new Heatmap(new double[,] { { 0.5, 0.6, 0.7 }, { 0.8, 0.9, 1.0 } }, "accuracy")
        {
            XLabel = "layer", YLabel = "step", RowLabels = ["0", "100"], ColumnLabels = ["0", "1", "2"], Width = 700, Height = 450,
        };
        using var bitmap = DecodePng(heatmap.ToPng(), 700, 450);
        // Viridis cells are saturated colours: many pixels far from grey.
        int coloured = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 80) coloured++;
            }
        Assert.IsGreaterThan(bitmap.Width * bitmap.Height / 4 / 4, coloured, "at least a quarter of the image is cells");
    }

    [TestMethod]
    public void HeatmapLabelsMustMatchTheGrid()
    {
        var heatmap = new Heatmap(new double[,] { { 1, 2 } });
        Assert.ThrowsExactly<ArgumentException>(() => heatmap.RowLabels = ["a", "b"]);
        Assert.ThrowsExactly<ArgumentException>(() => new Heatmap(new double[0, 3]));
    }
}
