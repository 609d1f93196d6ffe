namespace Megalodon.ML.Model;

/// <summary>How chunk-wise attention is computed over whole chunks (training and prefill).</summary>
public enum AttentionKernel
{
    /// <summary>
    /// The measured-fastest kernel, today <see cref="Explicit"/> on every device: on an H200 with the 200M shape (q/k
    /// heads of 256, value heads of 2048, bf16) a training step was 2.4x slower with <see cref="Fused"/> (its backward
    /// pass dominates) and no faster with <see cref="FusedSplitValues"/> (docs/benchmarks.md).
    /// </summary>
    Auto,

    /// <summary>Scores, mask and softmax as separate tensors (softmax in fp32): the reference computation.</summary>
    Explicit,

    /// <summary>
    /// <c>scaled_dot_product_attention</c> per chunk (flash or memory-efficient kernels on CUDA), computing the same
    /// function: queries are pre-scaled by sqrt(d) so that its 1/sqrt(d) cancels, and it is causal within each chunk.
    /// </summary>
    Fused,

    /// <summary>
    /// <see cref="Fused"/> with the values cut into slices as wide as the queries, one kernel call per slice sharing
    /// q and k: the same function, but every call has equal q/k/v head widths, which flash attention requires (the
    /// 200M shape has q/k heads of 256 and value heads of 2048). More score FLOPs, possibly a faster kernel: measure.
    /// Without dropout only (each slice would draw its own mask); with dropout it is <see cref="Fused"/>.
    /// </summary>
    FusedSplitValues,
}
