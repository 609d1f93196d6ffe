namespace Megalodon.ML.Reporting;

/// <summary>
/// A line chart of one or more named series, rendered to PNG with the built-in font: title, axis
/// labels, 1-2-5 (or power) ticks with grid lines, optional log axes, markers and a legend placed in
/// the plot corner that hides the fewest points.
/// </summary>
/// <example>
/// <code>
/// var chart = new LineChart("Perplexity vs context length") { XLabel = "context length", YLabel = "perplexity", XScale = AxisScale.Log2 };
/// chart.AddSeries("megalodon", lengths, ppl);
/// chart.Save("ppl.png");
/// </code>
/// </example>
public sealed class LineChart
{
    private const int Pad = 16;
    private const int TickLength = 5;
    private const int TickGap = 6;
    private const int TextScale = 2;
    private const int TitleScale = 3;
    private const int TextHeight = BitmapFont.GlyphHeight * TextScale; // cell height, descenders included
    private const int MarkerRadius = 4;

    private readonly List<ChartSeries> _series = [];

    /// <summary>Creates an empty chart.</summary>
    public LineChart(string title = "") => Title = title ?? "";

    /// <summary>Title drawn centred above the plot; empty for none.</summary>
    public string Title { get; set; }
    /// <summary>Label under the x axis; empty for none.</summary>
    public string XLabel { get; set; } = "";
    /// <summary>Label left of the y axis, drawn vertically; empty for none.</summary>
    public string YLabel { get; set; } = "";
    /// <summary>Scale of the x axis.</summary>
    public AxisScale XScale { get; set; } = AxisScale.Linear;
    /// <summary>Scale of the y axis.</summary>
    public AxisScale YScale { get; set; } = AxisScale.Linear;
    /// <summary>Image width in pixels (at least 240).</summary>
    public int Width { get; set; } = 960;
    /// <summary>Image height in pixels (at least 180).</summary>
    public int Height { get; set; } = 600;
    /// <summary>Line thickness in pixels.</summary>
    public int LineThickness { get; set; } = 2;
    /// <summary>Whether to draw markers; they are left out anyway when points are too dense to tell apart.</summary>
    public bool ShowMarkers { get; set; } = true;
    /// <summary>Whether to draw the legend (only drawn when some series has a name).</summary>
    public bool ShowLegend { get; set; } = true;

    /// <summary>The series added so far, in drawing order.</summary>
    public IReadOnlyList<ChartSeries> Series => _series;

    /// <summary>
    /// Adds a series. Points whose x or y is NaN or infinite (or not positive on a log axis) are
    /// skipped and break the line there.
    /// </summary>
    /// <param name="name">Legend text.</param>
    /// <param name="x">X values.</param>
    /// <param name="y">Y values, as many as <paramref name="x"/>.</param>
    /// <param name="color">Line colour; the next palette colour when omitted.</param>
    /// <param name="marker">Point marker; cycles circle, square, diamond, triangle when omitted.</param>
    /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="y"/> differ in length.</exception>
    public LineChart AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, Rgba? color = null, MarkerShape? marker = null)
    {
        var index = _series.Count;
        _series.Add(new ChartSeries(name, x, y, color ?? ChartPalette.Get(index), marker ?? MarkerPainter.ForSeries(index)));
        return this;
    }

    /// <summary>Renders the chart.</summary>
    /// <exception cref="ArgumentException">No plottable point at all, or a size too small to lay out.</exception>
    public PngImage Render()
    {
        if (Width < 240 || Height < 180) throw new ArgumentException($"LineChart size {Width} x {Height} is too small; it needs at least 240 x 180 pixels.");
        if (LineThickness < 1) throw new ArgumentException($"LineChart line thickness must be at least 1; got {LineThickness}.");
        var points = _series.Select(s => PlottablePoints(s).ToList()).ToList();
        var all = points.SelectMany(p => p).ToList();
        if (all.Count == 0) throw new ArgumentException(NoDataMessage());

        // Layout: vertical extents first (they fix the y ticks, whose label widths fix the left margin).
        // A title too long for the large font steps down to the label size before being cut.
        var titleScale = ChartText.Width(Title, TitleScale) <= Width - 2 * Pad ? TitleScale : TextScale;
        var top = Pad + (Title.Length > 0 ? titleScale * BitmapFont.GlyphHeight + 14 : 6);
        var plotBottom = Height - Pad - TextHeight - TickGap - TickLength - (XLabel.Length > 0 ? TextHeight + 12 : 0);
        var yAxis = ChartAxis.Create(all.Min(p => p.Y), all.Max(p => p.Y), YScale, plotBottom - top, 48);
        var yLabelWidth = yAxis.Labels.Select(l => ChartText.Width(l, TextScale)).DefaultIfEmpty(0).Max();
        var left = Pad + (YLabel.Length > 0 ? TextHeight + 12 : 0) + yLabelWidth + TickGap + TickLength;
        var (xAxis, right) = LayOutXAxis(all, left);
        if (right - left < 40 || plotBottom - top < 40) throw new ArgumentException($"LineChart size {Width} x {Height} leaves no room for the plot; make it larger.");

        var image = new PngImage(Width, Height);
        DrawGridAndTicks(image, xAxis, yAxis, left, right, top, plotBottom);
        image.DrawRect(left, top, right - left + 1, plotBottom - top + 1, Rgba.Gray);

        var pixels = points.Select(ps => ps.Select(p => (
            X: (int)Math.Round(xAxis.ToPixel(p.X, left, right)),
            Y: (int)Math.Round(yAxis.ToPixel(p.Y, plotBottom, top)),
            p.Run)).ToList()).ToList();
        for (var s = 0; s < _series.Count; s++) DrawSeries(image, _series[s], pixels[s], right - left);

        if (ShowLegend && _series.Any(s => s.Name.Length > 0)) DrawLegend(image, pixels, left, right, top, plotBottom);
        if (Title.Length > 0)
            ChartText.Centered(image, Width / 2, Pad, ChartText.Fit(Title, Width - 2 * Pad, titleScale), ChartText.Ink, titleScale);
        if (XLabel.Length > 0)
            ChartText.Centered(image, (left + right) / 2, Height - Pad - TextHeight, ChartText.Fit(XLabel, Width - 2 * Pad, TextScale), ChartText.Ink, TextScale);
        if (YLabel.Length > 0)
            ChartText.VerticalCentered(image, Pad, (top + plotBottom) / 2, ChartText.Fit(YLabel, plotBottom - top, TextScale), ChartText.Ink, TextScale);
        return image;
    }

    /// <summary>Renders the chart and writes it as PNG to <paramref name="pngPath"/> (atomically).</summary>
    /// <exception cref="ArgumentException">No plottable point at all.</exception>
    public void Save(string pngPath) => Render().Save(pngPath);

    /// <summary>Plottable points of a series; Run numbers consecutive stretches so skipped points break the line.</summary>
    private IEnumerable<(double X, double Y, int Run)> PlottablePoints(ChartSeries s)
    {
        var run = 0;
        for (var i = 0; i < s.X.Count; i++)
        {
            if (ChartAxis.IsPlottable(s.X[i], XScale) && ChartAxis.IsPlottable(s.Y[i], YScale)) yield return (s.X[i], s.Y[i], run);
            else run++;
        }
    }

    private string NoDataMessage()
    {
        var what = Title.Length > 0 ? $"LineChart '{Title}'" : "LineChart";
        if (_series.Count == 0) return $"{what} has no data to plot: no series were added.";
        var log = XScale != AxisScale.Linear || YScale != AxisScale.Linear ? " or values that are not positive on a log axis" : "";
        return $"{what} has no data to plot: all {_series.Count} series are empty or hold only NaN/infinite values{log}.";
    }

    /// <summary>Picks x ticks whose labels do not collide, and the plot's right edge that keeps the last label inside the image.</summary>
    private (ChartAxis Axis, int Right) LayOutXAxis(List<(double X, double Y, int Run)> all, int left)
    {
        double min = all.Min(p => p.X), max = all.Max(p => p.X);
        var pixelsPerTick = 90;
        while (true)
        {
            // Room for half of the widest label past the plot's right edge.
            var guess = ChartAxis.Create(min, max, XScale, Width - left - Pad, pixelsPerTick);
            var widest = guess.Labels.Select(l => ChartText.Width(l, TextScale)).DefaultIfEmpty(0).Max();
            var right = Width - Pad - widest / 2;
            var axis = ChartAxis.Create(min, max, XScale, right - left, pixelsPerTick);
            var positions = axis.Ticks.Select(t => axis.ToPixel(t, left, right)).ToArray();
            var crowded = false;
            for (var i = 1; i < positions.Length; i++)
                crowded |= positions[i] - positions[i - 1] < (ChartText.Width(axis.Labels[i], TextScale) + ChartText.Width(axis.Labels[i - 1], TextScale)) / 2 + 12;
            if (!crowded || pixelsPerTick > Width) return (axis, right);
            pixelsPerTick += 30;
        }
    }

    private static void DrawGridAndTicks(PngImage image, ChartAxis xAxis, ChartAxis yAxis, int left, int right, int top, int bottom)
    {
        for (var i = 0; i < yAxis.Ticks.Count; i++)
        {
            var py = (int)Math.Round(yAxis.ToPixel(yAxis.Ticks[i], bottom, top));
            if (py < top || py > bottom) continue;
            image.DrawLine(left, py, right, py, Rgba.LightGray);
            image.DrawLine(left - TickLength, py, left - 1, py, Rgba.Gray);
            ChartText.RightAligned(image, left - TickLength - TickGap, py, yAxis.Labels[i], ChartText.Ink, TextScale);
        }
        for (var i = 0; i < xAxis.Ticks.Count; i++)
        {
            var px = (int)Math.Round(xAxis.ToPixel(xAxis.Ticks[i], left, right));
            if (px < left || px > right) continue;
            image.DrawLine(px, top, px, bottom, Rgba.LightGray);
            image.DrawLine(px, bottom + 1, px, bottom + TickLength, Rgba.Gray);
            ChartText.Centered(image, px, bottom + TickLength + TickGap, xAxis.Labels[i], ChartText.Ink, TextScale);
        }
    }

    private void DrawSeries(PngImage image, ChartSeries series, List<(int X, int Y, int Run)> pixels, int plotWidth)
    {
        for (var i = 1; i < pixels.Count; i++)
            if (pixels[i].Run == pixels[i - 1].Run)
                image.DrawLine(pixels[i - 1].X, pixels[i - 1].Y, pixels[i].X, pixels[i].Y, series.Color, LineThickness);
        // Markers only while they stay apart; a lone point always gets one or it would be invisible.
        var drawMarkers = ShowMarkers && series.Marker != MarkerShape.None && pixels.Count * 3 * MarkerRadius <= plotWidth;
        var lonePoints = pixels.Where((p, i) => (i == 0 || pixels[i - 1].Run != p.Run) && (i == pixels.Count - 1 || pixels[i + 1].Run != p.Run));
        var marker = series.Marker == MarkerShape.None ? MarkerShape.Circle : series.Marker;
        foreach (var p in drawMarkers ? pixels : lonePoints)
            MarkerPainter.Draw(image, marker, p.X, p.Y, MarkerRadius, series.Color);
    }

    private void DrawLegend(PngImage image, List<List<(int X, int Y, int Run)>> pixels, int left, int right, int top, int bottom)
    {
        const int sample = 28, rowHeight = TextHeight + 8, inset = 10, padding = 10;
        var maxText = Math.Max(40, (right - left) / 2 - sample - 3 * padding);
        var names = _series.Select(s => ChartText.Fit(s.Name, maxText, TextScale)).ToList();
        var boxWidth = padding + sample + 8 + names.Max(n => ChartText.Width(n, TextScale)) + padding;
        var boxHeight = _series.Count * rowHeight + padding;

        // Corners in order of preference; the one covering the fewest line samples wins.
        (int X, int Y)[] corners =
        [
            (right - inset - boxWidth, top + inset), (left + inset, top + inset),
            (right - inset - boxWidth, bottom - inset - boxHeight), (left + inset, bottom - inset - boxHeight),
        ];
        var samples = pixels.SelectMany(LineSamples).ToList();
        var (bx, by) = corners.MinBy(c => samples.Count(p => p.X >= c.X - 4 && p.X <= c.X + boxWidth + 4 && p.Y >= c.Y - 4 && p.Y <= c.Y + boxHeight + 4));

        image.FillRect(bx, by, boxWidth, boxHeight, new Rgba(255, 255, 255, 225));
        image.DrawRect(bx, by, boxWidth, boxHeight, Rgba.Gray);
        for (var s = 0; s < _series.Count; s++)
        {
            var cy = by + padding / 2 + s * rowHeight + rowHeight / 2;
            var series = _series[s];
            image.DrawLine(bx + padding, cy, bx + padding + sample, cy, series.Color, LineThickness);
            if (series.Marker != MarkerShape.None && ShowMarkers)
                MarkerPainter.Draw(image, series.Marker, bx + padding + sample / 2, cy, MarkerRadius, series.Color);
            image.DrawText(bx + padding + sample + 8, cy - BitmapFont.CapHeight * TextScale / 2, names[s], ChartText.Ink, TextScale);
        }
    }

    /// <summary>Points along a series' drawn segments, used to find an empty corner for the legend.</summary>
    private static IEnumerable<(int X, int Y)> LineSamples(List<(int X, int Y, int Run)> pixels)
    {
        for (var i = 0; i < pixels.Count; i++)
        {
            yield return (pixels[i].X, pixels[i].Y);
            if (i == 0 || pixels[i].Run != pixels[i - 1].Run) continue;
            for (var k = 1; k < 16; k++)
                yield return (pixels[i - 1].X + (pixels[i].X - pixels[i - 1].X) * k / 16, pixels[i - 1].Y + (pixels[i].Y - pixels[i - 1].Y) * k / 16);
        }
    }
}
