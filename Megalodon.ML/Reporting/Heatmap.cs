using System.Globalization;

namespace Megalodon.ML.Reporting;

/// <summary>
/// A matrix drawn as coloured cells (e.g. probing accuracy, checkpoints x layers) with row and
/// column labels, a title, a colour bar with its range, and each cell's value written in it when
/// the cells are large enough. Non-finite cells are drawn grey.
/// </summary>
public sealed class Heatmap
{
    private const int Pad = 16;
    private const int TextScale = 2;
    private const int CapHeight = BitmapFont.CapHeight * TextScale;
    private const int TextHeight = BitmapFont.GlyphHeight * TextScale;
    private const int BarWidth = 18;
    private static readonly Rgba MissingColor = new(208, 208, 208);

    private readonly double[,] _values;
    private IReadOnlyList<string>? _rowLabels;
    private IReadOnlyList<string>? _columnLabels;

    /// <summary>Creates a heatmap of <paramref name="values"/> (copied), indexed [row, column].</summary>
    /// <exception cref="ArgumentException">The matrix has no rows or no columns.</exception>
    public Heatmap(double[,] values, string title = "")
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0)
            throw new ArgumentException($"Heatmap needs at least one row and one column; the matrix is {values.GetLength(0)} x {values.GetLength(1)}.", nameof(values));
        _values = (double[,])values.Clone();
        Title = title ?? "";
    }

    /// <summary>Creates a heatmap from a list of equally long rows.</summary>
    /// <exception cref="ArgumentException">No rows, empty rows, or rows of different lengths.</exception>
    public static Heatmap FromRows(IReadOnlyList<IReadOnlyList<double>> rows, string title = "")
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = rows.Count == 0 ? 0 : rows[0].Count;
        for (var r = 1; r < rows.Count; r++)
            if (rows[r].Count != columns)
                throw new ArgumentException($"Heatmap row {r} has {rows[r].Count} values but row 0 has {columns}; rows must be equally long.", nameof(rows));
        var values = new double[rows.Count, columns];
        for (var r = 0; r < rows.Count; r++)
            for (var c = 0; c < columns; c++)
                values[r, c] = rows[r][c];
        return new Heatmap(values, title);
    }

    /// <summary>Number of rows.</summary>
    public int Rows => _values.GetLength(0);
    /// <summary>Number of columns.</summary>
    public int Columns => _values.GetLength(1);
    /// <summary>The value at [<paramref name="row"/>, <paramref name="column"/>].</summary>
    public double this[int row, int column] => _values[row, column];

    /// <summary>Title drawn centred above the cells; empty for none.</summary>
    public string Title { get; set; }
    /// <summary>Label under the column labels (e.g. "layer"); empty for none.</summary>
    public string XLabel { get; set; } = "";
    /// <summary>Label left of the row labels, drawn vertically (e.g. "checkpoint"); empty for none.</summary>
    public string YLabel { get; set; } = "";

    /// <summary>One label per row, top to bottom; null numbers the rows from 0.</summary>
    /// <exception cref="ArgumentException">The count differs from <see cref="Rows"/>.</exception>
    public IReadOnlyList<string>? RowLabels
    {
        get => _rowLabels;
        set => _rowLabels = CheckLabels(value, Rows, "rows", nameof(RowLabels));
    }

    /// <summary>One label per column, left to right; null numbers the columns from 0.</summary>
    /// <exception cref="ArgumentException">The count differs from <see cref="Columns"/>.</exception>
    public IReadOnlyList<string>? ColumnLabels
    {
        get => _columnLabels;
        set => _columnLabels = CheckLabels(value, Columns, "columns", nameof(ColumnLabels));
    }

    /// <summary>Value mapped to the ramp's start; null takes the smallest finite cell.</summary>
    public double? Min { get; set; }
    /// <summary>Value mapped to the ramp's end; null takes the largest finite cell.</summary>
    public double? Max { get; set; }
    /// <summary>Colour scale; viridis-like by default.</summary>
    public ColorRamp Ramp { get; set; } = ColorRamp.Viridis;
    /// <summary>Whether to write each value in its cell; it is left out anyway when the text would not fit.</summary>
    public bool ShowValues { get; set; } = true;
    /// <summary>.NET numeric format of cell values and colour bar labels; null picks about three significant digits.</summary>
    public string? ValueFormat { get; set; }
    /// <summary>Cell width in pixels; null sizes cells so the grid is about 720 pixels wide.</summary>
    public int? CellWidth { get; set; }
    /// <summary>Cell height in pixels; null sizes cells so the grid is about 480 pixels tall.</summary>
    public int? CellHeight { get; set; }

    /// <summary>The colour range actually used: <see cref="Min"/>/<see cref="Max"/> where set, else the finite data's extremes.</summary>
    /// <exception cref="ArgumentException">Min is not below Max, or either is not finite.</exception>
    public (double Min, double Max) ColorRange()
    {
        var finite = _values.Cast<double>().Where(double.IsFinite).ToList();
        var min = Min ?? (finite.Count > 0 ? finite.Min() : 0);
        var max = Max ?? (finite.Count > 0 ? finite.Max() : 1);
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"Heatmap colour range must be finite; got Min = {min}, Max = {max}.");
        if (Min.HasValue && Max.HasValue && min >= max)
            throw new ArgumentException($"Heatmap colour range is empty: Min ({min}) must be below Max ({max}).");
        return (min, max);
    }

    /// <summary>Colour of a value under the current range and ramp (grey for NaN or infinite).</summary>
    public Rgba ColorOf(double value)
    {
        if (!double.IsFinite(value)) return MissingColor;
        var (min, max) = ColorRange();
        return Ramp.Map(max > min ? (value - min) / (max - min) : 0.5);
    }

    /// <summary>Renders the heatmap; the image size follows from the cell size and the labels.</summary>
    /// <exception cref="ArgumentException">An invalid colour range or cell size.</exception>
    public PngImage Render()
    {
        var (min, max) = ColorRange();
        var format = ValueFormat ?? AutoFormat(); // once: the automatic format scans the whole matrix
        var cellW = CellWidth ?? Math.Clamp(720 / Columns, 4, 96);
        var cellH = CellHeight ?? Math.Clamp(480 / Rows, 4, 64);
        if (cellW < 1 || cellH < 1) throw new ArgumentException($"Heatmap cells must be at least 1 x 1 pixels; got {cellW} x {cellH}.");
        var rowLabels = RowLabels ?? [.. Enumerable.Range(0, Rows).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        var columnLabels = (ColumnLabels ?? [.. Enumerable.Range(0, Columns).Select(i => i.ToString(CultureInfo.InvariantCulture))])
            .Select(l => ChartText.Fit(l, 160, TextScale)).ToList();
        rowLabels = [.. rowLabels.Select(l => ChartText.Fit(l, 240, TextScale))];

        // Column labels lie flat when they fit a cell, else stand vertically; crowded labels are thinned.
        var widestColumnLabel = columnLabels.Max(l => ChartText.Width(l, TextScale));
        var flatColumnLabels = widestColumnLabel + 6 <= cellW;
        var columnEvery = flatColumnLabels ? 1 : (int)Math.Ceiling((TextHeight + 2.0) / cellW);
        var rowEvery = (int)Math.Ceiling((CapHeight + 6.0) / cellH);
        var columnLabelsHeight = flatColumnLabels ? TextHeight : widestColumnLabel;

        var barLabels = BarLabels(min, max, Math.Max(Rows * cellH, 100), format);
        var gridLeft = Pad + (YLabel.Length > 0 ? TextHeight + 12 : 0) + rowLabels.Max(l => ChartText.Width(l, TextScale)) + 8;
        var gridTop = Pad + (Title.Length > 0 ? BitmapFont.GlyphHeight * 3 + 12 : 6);
        int gridW = Columns * cellW, gridH = Rows * cellH;
        var barLeft = gridLeft + gridW + 20;
        var barH = Math.Max(gridH, 100);
        var width = barLeft + BarWidth + 8 + barLabels.Max(l => ChartText.Width(l.Text, TextScale)) + Pad;
        width = Math.Max(width, ChartText.Width(Title, 3) + 2 * Pad);
        width = Math.Max(width, gridLeft + ChartText.Width(XLabel, TextScale) + Pad);
        var xLabelTop = gridTop + gridH + 8 + columnLabelsHeight + 10;
        var height = Math.Max(xLabelTop + (XLabel.Length > 0 ? TextHeight : 0), gridTop + barH + CapHeight / 2) + Pad;
        if ((long)width * height > 50_000_000) throw new ArgumentException($"Heatmap image would be {width} x {height} pixels; use smaller cells.");

        var image = new PngImage(width, height);
        var annotation = AnnotationScale(cellW, cellH, format);
        for (var r = 0; r < Rows; r++)
            for (var c = 0; c < Columns; c++)
                DrawCell(image, gridLeft + c * cellW, gridTop + r * cellH, cellW, cellH, _values[r, c], min, max, annotation, format);

        for (var r = 0; r < Rows; r += rowEvery)
            ChartText.RightAligned(image, gridLeft - 8, gridTop + r * cellH + cellH / 2, rowLabels[r], ChartText.Ink, TextScale);
        for (var c = 0; c < Columns; c += columnEvery)
        {
            var centre = gridLeft + c * cellW + cellW / 2;
            if (flatColumnLabels) ChartText.Centered(image, centre, gridTop + gridH + 8, columnLabels[c], ChartText.Ink, TextScale);
            // Vertical labels end next to the grid, so they read bottom-up towards their column.
            else image.DrawTextVertical(centre - CapHeight / 2, gridTop + gridH + 8 + ChartText.Width(columnLabels[c], TextScale), columnLabels[c], ChartText.Ink, TextScale);
        }

        DrawColorBar(image, barLeft, gridTop, barH, min, max, barLabels);
        if (Title.Length > 0) ChartText.Centered(image, width / 2, Pad, Title, ChartText.Ink, 3);
        if (XLabel.Length > 0) ChartText.Centered(image, Math.Max(gridLeft + gridW / 2, gridLeft + ChartText.Width(XLabel, TextScale) / 2), xLabelTop, XLabel, ChartText.Ink, TextScale);
        if (YLabel.Length > 0) ChartText.VerticalCentered(image, Pad, gridTop + gridH / 2, ChartText.Fit(YLabel, Math.Max(gridH, 60), TextScale), ChartText.Ink, TextScale);
        return image;
    }

    /// <summary>Renders the heatmap and writes it as PNG to <paramref name="pngPath"/> (atomically).</summary>
    public void Save(string pngPath) => Render().Save(pngPath);

    private static IReadOnlyList<string>? CheckLabels(IReadOnlyList<string>? labels, int expected, string what, string property)
    {
        if (labels is not null && labels.Count != expected)
            throw new ArgumentException($"Heatmap has {expected} {what} but {labels.Count} {property} were given.", property);
        return labels is null ? null : [.. labels.Select(l => l ?? "")];
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>
    /// Decimals from the largest magnitude: three significant digits from 1 up ("6.45", "12.3", "512"),
    /// two decimals for fractions such as accuracies ("0.87"), more for smaller values.
    /// </summary>
    private string AutoFormat()
    {
        var largest = _values.Cast<double>().Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        if (largest == 0) return "0";
        var exponent = (int)Math.Floor(Math.Log10(largest));
        var decimals = Math.Clamp(exponent >= 0 ? 2 - exponent : 1 - exponent, 0, 4);
        return decimals == 0 ? "0" : "0." + new string('0', decimals);
    }

    /// <summary>Text scale for cell values: 2 when every value fits, else 1, else 0 (none).</summary>
    private int AnnotationScale(int cellW, int cellH, string format)
    {
        if (!ShowValues) return 0;
        var widest = _values.Cast<double>().Where(double.IsFinite).Select(v => Format(v, format).Length).DefaultIfEmpty(0).Max();
        foreach (var scale in (ReadOnlySpan<int>)[2, 1])
            if ((widest * BitmapFont.Advance - 1) * scale + 4 * scale <= cellW && BitmapFont.CapHeight * scale + 4 * scale <= cellH)
                return scale;
        return 0;
    }

    private void DrawCell(PngImage image, int x, int y, int w, int h, double value, double min, double max, int annotation, string format)
    {
        var color = double.IsFinite(value) ? Ramp.Map(max > min ? (value - min) / (max - min) : 0.5) : MissingColor;
        // A one-pixel white seam between cells once they are large enough to spare it.
        var seam = w >= 12 && h >= 12 ? 1 : 0;
        image.FillRect(x, y, w - seam, h - seam, color);
        if (annotation == 0 || !double.IsFinite(value)) return;
        var text = Format(value, format);
        var ink = color.Luminance > 0.45 ? ChartText.Ink : Rgba.White;
        var textW = BitmapFont.Measure(text, annotation).Width;
        image.DrawText(x + (w - seam - textW) / 2, y + (h - seam - BitmapFont.CapHeight * annotation) / 2, text, ink, annotation);
    }

    /// <summary>Colour bar labels: min and max, plus round values between them where they do not crowd the ends.</summary>
    private static List<(double Value, string Text)> BarLabels(double min, double max, int barH, string format)
    {
        var labels = new List<(double, string)> { (min, Format(min, format)) };
        if (max > min)
        {
            var step = ChartAxis.NiceStep(max - min, Math.Max(1, barH / 60));
            var gap = (max - min) * (CapHeight + 8) / barH;
            foreach (var t in ChartAxis.LinearTicks(min, max, step))
                if (t - min >= gap && max - t >= gap) labels.Add((t, Format(t, format)));
            labels.Add((max, Format(max, format)));
        }
        return labels;
    }

    private void DrawColorBar(PngImage image, int left, int top, int barH, double min, double max, List<(double Value, string Text)> labels)
    {
        for (var py = 0; py < barH; py++)
            image.FillRect(left, top + py, BarWidth, 1, Ramp.Map(1 - py / (double)Math.Max(1, barH - 1)));
        image.DrawRect(left - 1, top - 1, BarWidth + 2, barH + 2, Rgba.Gray);
        foreach (var (value, text) in labels)
        {
            var py = top + (max > min ? (int)Math.Round((1 - (value - min) / (max - min)) * (barH - 1)) : barH / 2);
            // Ticks point into the bar: outside it they would read as minus signs before the labels.
            var under = Ramp.Map(max > min ? (value - min) / (max - min) : 0.5);
            image.DrawLine(left + BarWidth - 5, py, left + BarWidth - 1, py, under.Luminance > 0.45 ? ChartText.Ink : Rgba.White);
            image.DrawText(left + BarWidth + 8, py - CapHeight / 2, text, ChartText.Ink, TextScale);
        }
    }
}
