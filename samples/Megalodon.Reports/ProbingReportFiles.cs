using System.Globalization;
using Megalodon.ML.Transforms.Probing;

namespace Megalodon.Reports;

/// <summary>The files of a <see cref="CheckpointLayerTable"/>: the table as CSV, accuracy heatmaps and information curves.</summary>
public static class ProbingReportFiles
{
    /// <summary>The rows as a CSV table: dataset, checkpoint, step, layer, accuracy, auc, shuffled_accuracy, majority_accuracy, i_xt, i_yt, i_yt_shuffled.</summary>
    public static CsvTable ToCsv(this CheckpointLayerTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var csv = new CsvTable(["dataset", "checkpoint", "step", "layer", "accuracy", "auc", "shuffled_accuracy", "majority_accuracy", "i_xt", "i_yt", "i_yt_shuffled"]);
        foreach (var r in table.Rows)
            csv.AddRow(r.Dataset, r.Checkpoint, r.Step, r.Layer, r.Accuracy, r.Auc, r.ShuffledAccuracy, r.MajorityAccuracy, r.InputInformation, r.LabelInformation, r.ShuffledLabelInformation);
        return csv;
    }

    /// <summary>
    /// A heatmap of one data set: rows are checkpoints (by step), columns layers, cells <paramref name="metric"/> of
    /// each row (e.g. <c>r =&gt; r.Accuracy</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The data set has no rows, or a cell is missing.</exception>
    public static Heatmap Heatmap(this CheckpointLayerTable table, string dataset, Func<CheckpointLayerRow, double> metric, string title)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var rows = RowsOf(table, dataset);
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
            YLabel = "pretraining step",
            RowLabels = steps.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToList(),
            ColumnLabels = layers.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToList(),
            ValueFormat = "F2",
        };
    }

    /// <summary>
    /// Line charts of the information terms of one data set across checkpoints, one series per layer: I(X;T) and
    /// I(Y;T), with the training step (+1, for the log axis) on x.
    /// </summary>
    /// <exception cref="ArgumentException">The data set has no rows.</exception>
    public static (LineChart InputInformation, LineChart LabelInformation) InformationCharts(this CheckpointLayerTable table, string dataset)
    {
        var rows = RowsOf(table, dataset);
        LineChart Chart(string label, Func<CheckpointLayerRow, double> metric)
        {
            var chart = new LineChart($"{dataset}: nHSIC estimate of {label} across pretraining")
            {
                XLabel = "training step + 1", YLabel = $"{label} (nHSIC)", XScale = AxisScale.Log10,
            };
            foreach (var layer in rows.Select(r => r.Layer).Distinct().Order())
            {
                var points = rows.Where(r => r.Layer == layer).OrderBy(r => r.Step).ToList();
                chart.AddSeries($"layer {layer}", points.Select(p => p.Step + 1.0).ToList(), points.Select(metric).ToList());
            }
            return chart;
        }
        return (Chart("I(X;T)", r => r.InputInformation), Chart("I(Y;T)", r => r.LabelInformation));
    }

    private static List<CheckpointLayerRow> RowsOf(CheckpointLayerTable table, string dataset)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rows = table.Rows.Where(r => r.Dataset == dataset).ToList();
        return rows.Count > 0 ? rows : throw new ArgumentException($"No rows for data set '{dataset}'.", nameof(dataset));
    }
}
