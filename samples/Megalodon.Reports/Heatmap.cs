using System.Globalization;
using ScottPlot;

namespace Megalodon.Reports;

/// <summary>
/// A grid of values drawn as coloured cells (viridis, with a colour bar), row 0 at the top, optionally with each value
/// written in its cell; saved as PNG through ScottPlot.
/// </summary>
public sealed class Heatmap
{
    private readonly double[,] _values;
    private IReadOnlyList<string>? _rowLabels;
    private IReadOnlyList<string>? _columnLabels;

    /// <summary>Creates a heatmap of <paramref name="values"/> (rows by columns).</summary>
    /// <exception cref="ArgumentException">The grid is empty.</exception>
    public Heatmap(double[,] values, string title = "")
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0) throw new ArgumentException("A heatmap needs at least one row and one column.", nameof(values));
        _values = (double[,])values.Clone();
        Title = title ?? "";
    }

    /// <summary>Number of rows.</summary>
    public int Rows => _values.GetLength(0);
    /// <summary>Number of columns.</summary>
    public int Columns => _values.GetLength(1);
    /// <summary>One cell.</summary>
    public double this[int row, int column] => _values[row, column];

    /// <summary>Title above the grid; empty for none.</summary>
    public string Title { get; set; }
    /// <summary>Label under the columns; empty for none.</summary>
    public string XLabel { get; set; } = "";
    /// <summary>Label left of the rows; empty for none.</summary>
    public string YLabel { get; set; } = "";
    /// <summary>Lowest value of the colour scale; null for the smallest finite cell.</summary>
    public double? Min { get; set; }
    /// <summary>Highest value of the colour scale; null for the largest finite cell.</summary>
    public double? Max { get; set; }
    /// <summary>Whether each cell shows its value.</summary>
    public bool ShowValues { get; set; } = true;
    /// <summary>Format of the values in the cells (default <c>G3</c>).</summary>
    public string ValueFormat { get; set; } = "G3";
    /// <summary>Image width in pixels.</summary>
    public int Width { get; set; } = 960;
    /// <summary>Image height in pixels.</summary>
    public int Height { get; set; } = 640;

    /// <summary>Labels of the rows, top to bottom; null numbers them from 0.</summary>
    /// <exception cref="ArgumentException">The count differs from <see cref="Rows"/>.</exception>
    public IReadOnlyList<string>? RowLabels
    {
        get => _rowLabels;
        set => _rowLabels = value is null || value.Count == Rows ? value : throw new ArgumentException($"{value.Count} row labels for {Rows} rows.", nameof(value));
    }

    /// <summary>Labels of the columns, left to right; null numbers them from 0.</summary>
    /// <exception cref="ArgumentException">The count differs from <see cref="Columns"/>.</exception>
    public IReadOnlyList<string>? ColumnLabels
    {
        get => _columnLabels;
        set => _columnLabels = value is null || value.Count == Columns ? value : throw new ArgumentException($"{value.Count} column labels for {Columns} columns.", nameof(value));
    }

    /// <summary>The heatmap as a ScottPlot plot, for further styling.</summary>
    public Plot ToPlot()
    {
        var plot = ChartStyle.NewPlot(Title, XLabel, YLabel);
        var finite = _values.Cast<double>().Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        double min = Min ?? finite.Min(), max = Max ?? finite.Max();
        var cells = plot.Add.Heatmap(_values);
        cells.Colormap = new ScottPlot.Colormaps.Viridis();
        cells.ManualRange = new ScottPlot.Range(min, max == min ? min + 1 : max);
        plot.Add.ColorBar(cells);
        // ScottPlot puts row r's centre at y = Rows - 1 - r and column c's at x = c.
        var rowTicks = Enumerable.Range(0, Rows).Select(r => new Tick(Rows - 1 - r, RowLabels?[r] ?? r.ToString(CultureInfo.InvariantCulture), isMajor: true));
        var columnTicks = Enumerable.Range(0, Columns).Select(c => new Tick(c, ColumnLabels?[c] ?? c.ToString(CultureInfo.InvariantCulture), isMajor: true));
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. rowTicks]);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. columnTicks]);
        plot.HideGrid();
        if (ShowValues)
        {
            for (int r = 0; r < Rows; r++)
                for (int c = 0; c < Columns; c++)
                {
                    var value = _values[r, c];
                    if (!double.IsFinite(value)) continue;
                    var text = plot.Add.Text(value.ToString(ValueFormat, CultureInfo.InvariantCulture), c, Rows - 1 - r);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = 13;
                    // Dark text on the bright (yellow) end of viridis, light text on the dark end.
                    text.LabelFontColor = (value - min) / Math.Max(max - min, 1e-12) > 0.6 ? Colors.Black : Colors.White;
                }
        }
        plot.Axes.SetLimits(-0.5, Columns - 0.5, -0.5, Rows - 0.5);
        return plot;
    }

    /// <summary>The heatmap as PNG bytes.</summary>
    public byte[] ToPng() => ChartStyle.Png(ToPlot(), Width, Height);

    /// <summary>Writes the heatmap as a PNG, atomically (folders created).</summary>
    public void Save(string path) => ChartStyle.Save(path, ToPng());
}
