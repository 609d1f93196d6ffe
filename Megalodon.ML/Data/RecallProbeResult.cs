namespace Megalodon.ML.Data;

/// <summary>How well a model predicts recalled keys, against chance.</summary>
/// <param name="Spans">Recall spans measured.</param>
/// <param name="MeanKeyLoss">Mean over spans of the summed next-token loss (nats) over the key's tokens.</param>
/// <param name="ChanceKeyLoss"><c>ln(KeyCount)</c>: what a model that cannot see the earlier mention pays per key.</param>
/// <param name="MeanTokenLoss">Mean loss per key token (nats).</param>
/// <param name="SpansOutOfContext">Spans whose previous mention lay before the measured window (only chance is possible for them).</param>
public sealed record RecallProbeResult(int Spans, double MeanKeyLoss, double ChanceKeyLoss, double MeanTokenLoss, int SpansOutOfContext)
{
    /// <summary>Fraction of the chance loss removed: 0 at chance, 1 for perfect recall.</summary>
    public double RecallScore => 1.0 - MeanKeyLoss / ChanceKeyLoss;
}
