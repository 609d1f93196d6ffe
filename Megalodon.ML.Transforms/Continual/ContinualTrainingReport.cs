using Megalodon.ML.Reporting;
using Microsoft.ML;

namespace Megalodon.ML.Transforms.Continual;

/// <summary>
/// What a continual run did to the named validation sets: their losses before training (step 0) and at every
/// evaluation, the forgetting (rise on the old set) and the adaptation (fall on the new set). Readable as objects,
/// as an ML.NET <see cref="IDataView"/>, as CSV and as a PNG chart.
/// </summary>
public sealed class ContinualTrainingReport
{
    /// <summary>The role of the set forgetting is measured on.</summary>
    public const string OldRole = "old";
    /// <summary>The role of the set adaptation is measured on.</summary>
    public const string NewRole = "new";

    private readonly List<ContinualEvaluation> _evaluations = new();

    internal ContinualTrainingReport(IReadOnlyList<string> setNames, string? oldSetName, string? newSetName)
    {
        SetNames = setNames;
        OldSetName = oldSetName;
        NewSetName = newSetName;
    }

    /// <summary>The validation sets, in column order.</summary>
    public IReadOnlyList<string> SetNames { get; }
    /// <summary>The set forgetting is measured on (the earlier domain), or null.</summary>
    public string? OldSetName { get; }
    /// <summary>The set adaptation is measured on (the new domain), or null.</summary>
    public string? NewSetName { get; }
    /// <summary>Every evaluation in step order, the first at step 0 (the base model).</summary>
    public IReadOnlyList<ContinualEvaluation> Evaluations => _evaluations;
    /// <summary>Forgetting at the last evaluation, or null.</summary>
    public double? FinalForgetting => _evaluations.Count > 0 ? _evaluations[^1].Forgetting : null;
    /// <summary>Adaptation at the last evaluation, or null.</summary>
    public double? FinalAdaptation => _evaluations.Count > 0 ? _evaluations[^1].Adaptation : null;

    /// <summary>Records the losses of one evaluation; the first recorded is the baseline.</summary>
    internal void Add(long step, IReadOnlyDictionary<string, double> losses)
    {
        var baseline = _evaluations.Count > 0 ? _evaluations[0].Losses : losses;
        double? Change(string? set) => set is null ? null : losses[set] - baseline[set];
        _evaluations.Add(new ContinualEvaluation(step, new Dictionary<string, double>(losses), Change(OldSetName), -Change(NewSetName)));
    }

    /// <summary>One row per (evaluation, set): step, set, role, loss and loss change since step 0.</summary>
    /// <param name="mlContext">The context that builds the view.</param>
    public IDataView ToDataView(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var baseline = _evaluations.Count > 0 ? _evaluations[0].Losses : null;
        var rows = _evaluations.SelectMany(e => SetNames.Select(set => new ContinualReportRow
        {
            Step = e.Step,
            Set = set,
            Role = set == OldSetName ? OldRole : set == NewSetName ? NewRole : "",
            Loss = e.Losses[set],
            LossChange = e.Losses[set] - baseline![set],
        })).ToList();
        return mlContext.Data.LoadFromEnumerable(rows);
    }

    /// <summary>A table with a row per evaluation: step, <c>loss_NAME</c> per set, forgetting, adaptation (empty when undefined).</summary>
    public CsvTable ToCsvTable()
    {
        var table = new CsvTable(["step", .. SetNames.Select(n => "loss_" + n), "forgetting", "adaptation"]);
        foreach (var e in _evaluations)
            table.AddRow([e.Step, .. SetNames.Select(n => (object?)e.Losses[n]), e.Forgetting, e.Adaptation]);
        return table;
    }

    /// <summary>Writes <see cref="ToCsvTable"/> to <paramref name="path"/> (folders created).</summary>
    /// <param name="path">The .csv file.</param>
    public void SaveCsv(string path) => ToCsvTable().Save(path);

    /// <summary>Draws each set's loss against the step and writes it as a PNG.</summary>
    /// <param name="path">The .png file.</param>
    public void SavePng(string path)
    {
        var chart = new LineChart("Validation loss during continual pre-training") { XLabel = "step", YLabel = "loss (nats)" };
        var steps = _evaluations.Select(e => (double)e.Step).ToList();
        foreach (var set in SetNames)
            chart.AddSeries(set, steps, _evaluations.Select(e => e.Losses[set]).ToList());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        chart.Save(path);
    }
}
