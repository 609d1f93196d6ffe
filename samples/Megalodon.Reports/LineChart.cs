using ScottPlot;
using ScottPlot.TickGenerators;

namespace Megalodon.Reports;

/// <summary>
/// A line chart of one or more named series with a title, axis labels, a legend and optional log axes, drawn by
/// ScottPlot and saved as PNG.
/// </summary>
/// <example>
/// <code>
/// var chart = new LineChart("Perplexity vs context length") { XLabel = "context length", YLabel = "perplexity", XScale = AxisScale.Log2 };
/// chart.AddSeries("megalodon", lengths, ppl);
/// chart.Save("ppl.png");
/// </code>
/// </example>
/// <param name="title">Title above the plot; empty for none.</param>
public sealed class LineChart(string title = "")
{
    private readonly List<ChartSeries> _series = [];

    /// <summary>Title above the plot; empty for none.</summary>
    public string Title { get; set; } = title ?? "";
    /// <summary>Label under the x axis; empty for none.</summary>
    public string XLabel { get; set; } = "";
    /// <summary>Label left of the y axis; empty for none.</summary>
    public string YLabel { get; set; } = "";
    /// <summary>Scale of the x axis.</summary>
    public AxisScale XScale { get; set; } = AxisScale.Linear;
    /// <summary>Scale of the y axis.</summary>
    public AxisScale YScale { get; set; } = AxisScale.Linear;
    /// <summary>Image width in pixels.</summary>
    public int Width { get; set; } = 960;
    /// <summary>Image height in pixels.</summary>
    public int Height { get; set; } = 600;

    /// <summary>The series added so far, in drawing order.</summary>
    public IReadOnlyList<ChartSeries> Series => _series;

    /// <summary>Adds a series; NaN and infinite points (and non-positive ones on a log axis) are left out when drawing.</summary>
    /// <exception cref="ArgumentException">The x and y lists differ in length.</exception>
    public LineChart AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"Series '{name}' has {x.Count} x values but {y.Count} y values.", nameof(y));
        _series.Add(new ChartSeries(name ?? "", x, y));
        return this;
    }

    /// <summary>The chart as a ScottPlot plot, for further styling.</summary>
    public Plot ToPlot()
    {
        var plot = ChartStyle.NewPlot(Title, XLabel, YLabel);
        foreach (var series in _series)
        {
            var points = series.X.Zip(series.Y)
                .Where(p => Drawable(p.First, XScale) && Drawable(p.Second, YScale))
                .Select(p => new Coordinates(Position(p.First, XScale), Position(p.Second, YScale)))
                .ToArray();
            var line = plot.Add.ScatterLine(points);
            line.LineWidth = 2;
            line.MarkerSize = points.Length <= 60 ? 6 : 0;
            line.LegendText = series.Name;
        }
        ChartStyle.Scale(plot.Axes.Bottom, XScale);
        ChartStyle.Scale(plot.Axes.Left, YScale);
        if (_series.Any(s => s.Name.Length > 0))
            plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>The chart as PNG bytes.</summary>
    public byte[] ToPng() => ChartStyle.Png(ToPlot(), Width, Height);

    /// <summary>Writes the chart as a PNG, atomically (folders created).</summary>
    public void Save(string path) => ChartStyle.Save(path, ToPng());

    private static bool Drawable(double value, AxisScale scale) => double.IsFinite(value) && (scale == AxisScale.Linear || value > 0);

    private static double Position(double value, AxisScale scale) => scale switch
    {
        AxisScale.Log2 => Math.Log2(value),
        AxisScale.Log10 => Math.Log10(value),
        _ => value,
    };
}
