namespace Megalodon.ML.Inference;

/// <summary>What the model says about one sequence.</summary>
/// <param name="MeanNegativeLogLikelihood">Mean next-token negative log-likelihood (nats) over the scored tokens; NaN when no token was scored.</param>
/// <param name="ScoredTokens">How many tokens were predicted and scored.</param>
/// <param name="Embedding">The pooled final hidden state (length D).</param>
public sealed record SequenceScore(double MeanNegativeLogLikelihood, int ScoredTokens, float[] Embedding)
{
    /// <summary>exp(mean NLL).</summary>
    public double Perplexity => Math.Exp(MeanNegativeLogLikelihood);
}
