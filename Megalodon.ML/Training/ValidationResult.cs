namespace Megalodon.ML.Training;

/// <summary>Mean loss over the fixed held-out windows.</summary>
/// <param name="Step">Steps completed when it was measured.</param>
/// <param name="Loss">Mean next-token cross-entropy (nats per token) over all non-ignored targets.</param>
/// <param name="Perplexity"><c>exp(Loss)</c>.</param>
/// <param name="Tokens">Target tokens measured.</param>
public sealed record ValidationResult(long Step, double Loss, double Perplexity, long Tokens);
