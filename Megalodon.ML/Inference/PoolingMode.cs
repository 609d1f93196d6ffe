namespace Megalodon.ML.Inference;

/// <summary>How a sequence's hidden states become one embedding vector.</summary>
public enum PoolingMode
{
    /// <summary>The final hidden state of the last token: it has read the whole (causal) sequence.</summary>
    LastToken,
    /// <summary>The mean of the final hidden states over all tokens.</summary>
    Mean,
}
