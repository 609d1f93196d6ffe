using Megalodon.ML.Reporting;

namespace Megalodon.ML.Tests.Reporting;

[TestClass]
public sealed class HeatmapTests
{
    [TestMethod]
    public void ViridisGetsBrighterAlongTheRamp()
    {
        var previous = -1.0;
        for (var i = 0; i <= 50; i++)
        {
            var l = ColorRamp.Viridis.Map(i / 50.0).Luminance;
            Assert.IsGreaterThan(previous, l, $"step {i}");
            previous = l;
        }
    }

    [TestMethod]
    public void RenderedCellColoursAreMonotonicInTheValues()
    {
        double[] values = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2];
        var heatmap = Heatmap.FromRows([values], "monotonic");
        heatmap.CellWidth = 30;
        heatmap.CellHeight = 30;
        heatmap.ShowValues = false;
        var png = Render(heatmap);

        // Locate each cell by its colour; the colour bar (to the right) may reuse colours, so take the leftmost hit.
        var cellX = new double[values.Length];
        for (var c = 0; c < values.Length; c++)
        {
            var color = heatmap.ColorOf(values[c]);
            var hits = Pixels(png).Where(p => p.Color == color).ToList();
            Assert.IsGreaterThanOrEqualTo(29 * 29, hits.Count, $"cell {c} drawn with its colour");
            cellX[c] = hits.Min(p => p.X);
        }
        for (var c = 1; c < values.Length; c++) Assert.IsGreaterThan(cellX[c - 1], cellX[c], "cells run left to right");

        var byValue = Enumerable.Range(0, values.Length).OrderBy(c => values[c]).ToArray();
        for (var k = 1; k < byValue.Length; k++)
        {
            var lower = heatmap.ColorOf(values[byValue[k - 1]]);
            var higher = heatmap.ColorOf(values[byValue[k]]);
            Assert.IsGreaterThan(lower.Luminance, higher.Luminance, $"{values[byValue[k]]} is brighter than {values[byValue[k - 1]]}");
        }
    }

    [TestMethod]
    public void FixedRangeClampsAndNaNCellsAreGrey()
    {
        var heatmap = Heatmap.FromRows([[0.2, double.NaN], [1.5, -3]]);
        heatmap.Min = 0;
        heatmap.Max = 1;
        Assert.AreEqual(ColorRamp.Viridis.Map(1), heatmap.ColorOf(1.5));
        Assert.AreEqual(ColorRamp.Viridis.Map(0), heatmap.ColorOf(-3));
        var png = Render(heatmap);
        Assert.IsTrue(Pixels(png).Any(p => p.Color == heatmap.ColorOf(double.NaN)), "grey NaN cell drawn");
    }

    [TestMethod]
    public void LabelledHeatmapWithAnnotationsRendersAValidPng()
    {
        var rows = Enumerable.Range(0, 5).Select(r => (IReadOnlyList<double>)[.. Enumerable.Range(0, 12).Select(c => (r + 1) * (c + 1) / 60.0)]).ToList();
        var heatmap = Heatmap.FromRows(rows, "Probing accuracy");
        heatmap.RowLabels = ["1k", "2k", "5k", "10k", "final"];
        heatmap.ColumnLabels = [.. Enumerable.Range(0, 12).Select(i => $"layer {i}")];
        heatmap.XLabel = "layer";
        heatmap.YLabel = "checkpoint";
        var png = Render(heatmap);
        Assert.IsGreaterThan(12 * 40, png.Width);
        var dark = Pixels(png).Count(p => p.Color == new Rgba(34, 34, 34));
        Assert.IsGreaterThan(500, dark, "labels and annotations drawn");
    }

    [TestMethod]
    public void EmptyMatrixThrowsNamingTheShape()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new Heatmap(new double[0, 4]));
        StringAssert.Contains(ex.Message, "at least one row and one column");
        StringAssert.Contains(ex.Message, "0 x 4");
        Assert.ThrowsExactly<ArgumentException>(() => Heatmap.FromRows([]));
        Assert.ThrowsExactly<ArgumentException>(() => Heatmap.FromRows([[]]));
    }

    [TestMethod]
    public void RaggedRowsThrowNamingTheRow()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Heatmap.FromRows([[1, 2, 3], [4, 5]]));
        StringAssert.Contains(ex.Message, "row 1 has 2 values but row 0 has 3");
    }

    [TestMethod]
    public void WrongLabelCountsAndEmptyRangeThrow()
    {
        var heatmap = new Heatmap(new double[3, 2]);
        var rows = Assert.ThrowsExactly<ArgumentException>(() => heatmap.RowLabels = ["a", "b"]);
        StringAssert.Contains(rows.Message, "3 rows but 2 RowLabels");
        var cols = Assert.ThrowsExactly<ArgumentException>(() => heatmap.ColumnLabels = ["a"]);
        StringAssert.Contains(cols.Message, "2 columns but 1 ColumnLabels");
        heatmap.Min = 1;
        heatmap.Max = 1;
        var range = Assert.ThrowsExactly<ArgumentException>(() => heatmap.Render());
        StringAssert.Contains(range.Message, "Min (1) must be below Max (1)");
    }

    private static PngTestReader Render(Heatmap heatmap)
    {
        var path = Path.Combine(Path.GetTempPath(), $"megalodon-heatmap-{Guid.NewGuid():N}.png");
        try
        {
            heatmap.Save(path);
            return PngTestReader.Read(path);
        }
        finally { File.Delete(path); }
    }

    private static IEnumerable<(int X, int Y, Rgba Color)> Pixels(PngTestReader png)
    {
        for (var y = 0; y < png.Height; y++)
            for (var x = 0; x < png.Width; x++)
            {
                var (r, g, b, a) = png.Pixel(x, y);
                yield return (x, y, new Rgba(r, g, b, a));
            }
    }
}
