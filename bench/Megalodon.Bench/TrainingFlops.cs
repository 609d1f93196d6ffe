using Megalodon.ML.Baselines;
using Megalodon.ML.Model;

namespace Megalodon.Bench;

/// <summary>
/// Model FLOPs of one training token (forward + backward), the numerator of model-FLOPs utilisation: 6·N for the
/// parameter matmuls (2 forward, 4 backward per parameter per token), plus the attention score and value matmuls,
/// which have no parameters. Attention is counted causally (each query sees on average half its window), as is usual.
/// </summary>
internal static class TrainingFlops
{
    /// <summary>How the numbers are computed, printed next to them.</summary>
    public const string Formula =
        "FLOPs per token (forward+backward) = 6·N + attention. N = every trainable parameter (embeddings and head included). " +
        "Attention, causal (mean window/2 keys per query), x3 for forward+backward: " +
        "Llama 3·layers·(2·D)·L = 6·layers·D·L (QKᵀ and PV over the whole sequence L); " +
        "Megalodon 3·layers·(Z+E)·C' with C' = min(chunk, L) (QKᵀ over Z, PV over E, within a chunk). " +
        "MFU = FLOPs per token · tokens/s / peak.";

    /// <summary>6·N.</summary>
    public static double Dense(long parameters) => 6.0 * parameters;

    /// <summary>Attention FLOPs per token of Megalodon at sequence length <paramref name="length"/>.</summary>
    public static double MegalodonAttention(MegalodonConfig config, int length) =>
        3.0 * config.NumLayers * (config.ZDim + config.ValueDim) * Math.Min(config.ChunkSize, length);

    /// <summary>Attention FLOPs per token of the Llama baseline at sequence length <paramref name="length"/>.</summary>
    public static double LlamaAttention(LlamaConfig config, int length) =>
        6.0 * config.NumLayers * config.ModelDim * (double)length;
}
