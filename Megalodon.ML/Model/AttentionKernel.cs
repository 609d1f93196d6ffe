namespace Megalodon.ML.Model;

/// <summary>How chunk-wise attention is computed over whole chunks (training and prefill).</summary>
public enum AttentionKernel
{
    /// <summary>Fused on CUDA, explicit elsewhere: the fused kernel pays off on GPUs, the explicit one is the reference on CPU.</summary>
    Auto,

    /// <summary>Scores, mask and softmax as separate tensors (softmax in fp32): the reference computation.</summary>
    Explicit,

    /// <summary>
    /// <c>scaled_dot_product_attention</c> per chunk (flash or memory-efficient kernels on CUDA), computing the same
    /// function: queries are pre-scaled by sqrt(d) so that its 1/sqrt(d) cancels, and it is causal within each chunk.
    /// </summary>
    Fused,
}
