using Microsoft.ML;

namespace Megalodon.ML.Transforms.Continual;

/// <summary>
/// What a continual run did to the named validation sets: their losses before training (step 0) and at every
/// evaluation, the forgetting (rise on the old set) and the adaptation (fall on the new set). Readable as objects,
/// as an ML.NET <see cref="IDataView"/>. (Its CSV and chart are drawn outside the library, by the report project.)
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
}
