using System.Globalization;
using Megalodon.ML.Reporting;
using Microsoft.ML;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>One cell of a checkpoint × layer table: a probe's held-out quality and the information terms.</summary>
public sealed class CheckpointLayerRow
{
    /// <summary>The probing data set (e.g. <c>stereoset</c>).</summary>
    public string Dataset { get; set; } = "";
    /// <summary>The checkpoint's name (its folder, e.g. <c>step-000100</c>).</summary>
    public string Checkpoint { get; set; } = "";
    /// <summary>The checkpoint's training step.</summary>
    public long Step { get; set; }
    /// <summary>The layer (0-based).</summary>
    public int Layer { get; set; }
    /// <summary>Held-out probe accuracy.</summary>
    public double Accuracy { get; set; }
    /// <summary>Held-out probe AUC.</summary>
    public double Auc { get; set; }
    /// <summary>nHSIC estimate of I(X;T); NaN when not measured.</summary>
    public double InputInformation { get; set; } = double.NaN;
    /// <summary>nHSIC estimate of I(Y;T); NaN when not measured.</summary>
    public double LabelInformation { get; set; } = double.NaN;
}

/// <summary>
/// Probe results across checkpoints and layers: as an <see cref="IDataView"/>, a CSV table, and a checkpoint × layer
/// heatmap of accuracy or AUC.
/// </summary>
public sealed class CheckpointLayerTable
{
    private readonly List<CheckpointLayerRow> _rows = [];

    /// <summary>The rows, in the order added.</summary>
    public IReadOnlyList<CheckpointLayerRow> Rows => _rows;

    /// <summary>Adds a row.</summary>
    public void Add(CheckpointLayerRow row) => _rows.Add(row ?? throw new ArgumentNullException(nameof(row)));

    /// <summary>The rows as a data view (one column per property).</summary>
    public IDataView ToDataView(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(_rows.ToList());
    }

    /// <summary>The rows as a CSV table.</summary>
    public CsvTable ToCsv()
    {
        var csv = new CsvTable(["dataset", "checkpoint", "step", "layer", "accuracy", "auc", "i_xt", "i_yt"]);
        foreach (var r in _rows)
            csv.AddRow(r.Dataset, r.Checkpoint, r.Step, r.Layer, r.Accuracy, r.Auc, r.InputInformation, r.LabelInformation);
        return csv;
    }

    /// <summary>
    /// A heatmap of one data set: rows are checkpoints (by step), columns layers, cells <paramref name="metric"/> of
    /// each row (e.g. <c>r =&gt; r.Accuracy</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The data set has no rows, or a cell is missing.</exception>
    public Heatmap Heatmap(string dataset, Func<CheckpointLayerRow, double> metric, string title)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var rows = _rows.Where(r => r.Dataset == dataset).ToList();
        if (rows.Count == 0) throw new ArgumentException($"No rows for data set '{dataset}'.", nameof(dataset));
        var steps = rows.Select(r => r.Step).Distinct().Order().ToList();
        var layers = rows.Select(r => r.Layer).Distinct().Order().ToList();
        var values = new double[steps.Count, layers.Count];
        for (int i = 0; i < steps.Count; i++)
            for (int j = 0; j < layers.Count; j++)
            {
                var cell = rows.FirstOrDefault(r => r.Step == steps[i] && r.Layer == layers[j])
                    ?? throw new ArgumentException($"Data set '{dataset}' has no result for step {steps[i]}, layer {layers[j]}.", nameof(dataset));
                values[i, j] = metric(cell);
            }
        return new Heatmap(values, title)
        {
            XLabel = "layer",
            YLabel = "checkpoint (training step)",
            RowLabels = steps.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToList(),
            ColumnLabels = layers.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList(),
            ValueFormat = "F2",
        };
    }
}
