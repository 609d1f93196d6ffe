using System.Globalization;
using Megalodon.ML.IO;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Megalodon.Reports;

/// <summary>The look shared by the charts (size of text, fonts, log-axis ticks) and their PNG output.</summary>
internal static class ChartStyle
{
    /// <summary>A plot with a title and axis labels, in a sans-serif font that can draw them.</summary>
    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        if (title.Length > 0) plot.Title(title, size: 18);
        if (xLabel.Length > 0) plot.XLabel(xLabel, size: 15);
        if (yLabel.Length > 0) plot.YLabel(yLabel, size: 15);
        // Picks an installed font that has every character of the labels (titles may hold any Unicode text).
        plot.Font.Automatic();
        return plot;
    }

    /// <summary>
    /// Ticks for an axis whose data went in as log2 or log10 of the values: labels at whole powers, minor ticks between
    /// them, labelled with the values themselves.
    /// </summary>
    public static void Scale(IAxis axis, AxisScale scale)
    {
        if (scale == AxisScale.Linear) return;
        double @base = scale == AxisScale.Log2 ? 2 : 10;
        axis.TickGenerator = new NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new LogMinorTickGenerator(),
            LabelFormatter = power => Math.Pow(@base, power).ToString("#,0.####", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Renders <paramref name="plot"/> as PNG bytes.</summary>
    public static byte[] Png(Plot plot, int width, int height)
    {
        if (width < 100 || height < 100) throw new ArgumentOutOfRangeException(nameof(width), $"A chart needs at least 100 x 100 pixels (got {width} x {height}).");
        return plot.GetImage(width, height).GetImageBytes(ImageFormat.Png);
    }

    /// <summary>Writes <paramref name="png"/> to <paramref name="path"/> atomically, creating its folder.</summary>
    public static void Save(string path, byte[] png) => AtomicFile.WriteCreatingFolder(path, stream => stream.Write(png));
}
