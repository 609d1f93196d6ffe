namespace Megalodon.ML.Transforms.Continual;

/// <summary>One row of <see cref="ContinualTrainingReport.ToDataView"/>: one named set at one evaluation step.</summary>
public sealed class ContinualReportRow
{
    /// <summary>Steps completed (0: before training).</summary>
    public long Step { get; set; }
    /// <summary>The validation set's name.</summary>
    public string Set { get; set; } = "";
    /// <summary>"old" for the set forgetting is measured on, "new" for the set adaptation is measured on, else empty.</summary>
    public string Role { get; set; } = "";
    /// <summary>Mean next-token loss (nats).</summary>
    public double Loss { get; set; }
    /// <summary>Loss minus the set's loss at step 0 (positive: worse).</summary>
    public double LossChange { get; set; }
}
