using Megalodon.ML.Transforms.Continual;

namespace Megalodon.Reports;

/// <summary>The files of a <see cref="ContinualTrainingReport"/>: its table as CSV and its loss curves as PNG.</summary>
public static class ContinualReportFiles
{
    /// <summary>A table with a row per evaluation: step, <c>loss_NAME</c> per set, forgetting, adaptation (empty when undefined).</summary>
    public static CsvTable ToCsvTable(this ContinualTrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new CsvTable(["step", .. report.SetNames.Select(n => "loss_" + n), "forgetting", "adaptation"]);
        foreach (var e in report.Evaluations)
            table.AddRow([e.Step, .. report.SetNames.Select(n => (object?)e.Losses[n]), e.Forgetting, e.Adaptation]);
        return table;
    }

    /// <summary>Writes <see cref="ToCsvTable"/> to <paramref name="path"/> (folders created).</summary>
    public static void SaveCsv(this ContinualTrainingReport report, string path) => report.ToCsvTable().Save(path);

    /// <summary>Each set's validation loss against the step, one line per set.</summary>
    public static LineChart ToChart(this ContinualTrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var chart = new LineChart("Validation loss during continual pre-training") { XLabel = "step", YLabel = "loss (nats)" };
        var steps = report.Evaluations.Select(e => (double)e.Step).ToList();
        foreach (var set in report.SetNames)
            chart.AddSeries(set, steps, report.Evaluations.Select(e => e.Losses[set]).ToList());
        return chart;
    }

    /// <summary>Writes <see cref="ToChart"/> as a PNG (folders created).</summary>
    public static void SavePng(this ContinualTrainingReport report, string path) => report.ToChart().Save(path);
}
