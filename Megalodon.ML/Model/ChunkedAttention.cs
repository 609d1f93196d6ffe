using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Megalodon's chunk-wise causal softmax attention (spec §6): the sequence is cut into chunks of C tokens, no
/// attention crosses a chunk boundary, RoPE positions restart at every chunk, and there is no 1/sqrt(d) temperature
/// (queries and keys are already normalised). Information between chunks flows through CEMA and TimestepNorm.
/// </summary>
public static class ChunkedAttention
{
    /// <summary>
    /// Attention over whole sequences: q,k (B,L,H,dz), v (B,L,H,dv) with L &lt; C or L a multiple of C.
    /// Returns (B,L,H·dv). <paramref name="kernel"/> chooses the explicit or the fused computation of the same function.
    /// </summary>
    public static Tensor Full(Tensor q, Tensor k, Tensor v, int chunkSize, RotaryEmbedding rope, double dropout, bool training,
                              AttentionKernel kernel = AttentionKernel.Explicit)
    {
        using var scope = NewDisposeScope();
        long batch = q.shape[0], length = q.shape[1], heads = q.shape[2];
        long chunk = Math.Min(length, chunkSize);
        long chunks = length / chunk;
        var qc = rope.Rotate(q.reshape(batch * chunks, chunk, heads, q.shape[3]), 0);
        var kc = rope.Rotate(k.reshape(batch * chunks, chunk, heads, k.shape[3]), 0);
        var vc = v.reshape(batch * chunks, chunk, heads, v.shape[3]);
        var output = kernel switch   // (B·nc, chunk, H, dv)
        {
            AttentionKernel.Explicit => Attend(qc, kc, vc, cachedLength: 0, dropout, training),
            AttentionKernel.Fused => AttendFused(qc, kc, vc, dropout, training, splitValues: false),
            AttentionKernel.FusedSplitValues => AttendFused(qc, kc, vc, dropout, training, splitValues: true),
            _ => throw new ArgumentException($"Resolve {kernel} to a concrete kernel first (AttentionPolicy.For).", nameof(kernel)),
        };
        return output.reshape(batch, length, heads * v.shape[3]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attention for a streaming segment of s new tokens that stays inside the current chunk (n + s ≤ C, where n
    /// tokens of the chunk are in <paramref name="cache"/>), or that is a whole number of chunks from an empty cache.
    /// Updates the cache: it keeps the partial chunk's keys and values, and empties when the chunk completes.
    /// <paramref name="kernel"/> applies to whole chunks from an empty cache (a prefill), which need no cache.
    /// </summary>
    public static Tensor Streaming(Tensor q, Tensor k, Tensor v, AttentionCache cache, int chunkSize, RotaryEmbedding rope,
                                   AttentionKernel kernel = AttentionKernel.Explicit)
    {
        long n = cache.Length, s = q.shape[1];
        if (n == 0 && s % chunkSize == 0)
        {
            cache.Set(null, null);
            return Full(q, k, v, chunkSize, rope, 0, training: false, kernel);
        }
        if (n + s > chunkSize)
            throw new ArgumentException($"A streaming segment of {s} tokens after {n} cached ones crosses the chunk boundary ({chunkSize}).");

        using var scope = NewDisposeScope();
        var qr = rope.Rotate(q, n);
        var kr = rope.Rotate(k, n);
        var keys = cache.Keys is null ? kr : cat([cache.Keys, kr], 1);
        var values = cache.Values is null ? v : cat([cache.Values, v], 1);
        var output = Attend(qr, keys, values, cachedLength: n, 0, training: false);
        if (n + s == chunkSize) cache.Set(null, null);
        else cache.Set(keys.detach().MoveToOuterDisposeScope(), values.detach().MoveToOuterDisposeScope());
        return output.reshape(q.shape[0], s, q.shape[2] * v.shape[3]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// softmax(Q Kᵀ + causal mask)·V per head, softmax in fp32. Inputs (B',Lq,H,d) with keys (B',n+Lq,H,d): query i
    /// sees keys 0..n+i. Returns (B',Lq,H,dv).
    /// </summary>
    private static Tensor Attend(Tensor q, Tensor k, Tensor v, long cachedLength, double dropout, bool training)
    {
        long queries = q.shape[1], keys = k.shape[1];
        var qh = q.transpose(1, 2);
        var kh = k.transpose(1, 2);
        var vh = v.transpose(1, 2);
        var scores = qh.matmul(kh.transpose(-1, -2)).to_type(ComputePrecision.RealFor(q.dtype));
        var future = ones(queries, keys, ScalarType.Bool, q.device).triu(cachedLength + 1);
        var probabilities = scores.masked_fill(future, float.NegativeInfinity).softmax(-1).to_type(v.dtype);
        if (training && dropout > 0)
            probabilities = nn.functional.dropout(probabilities, dropout, training);
        return probabilities.matmul(vh).transpose(1, 2);
    }

    /// <summary>
    /// The same function as <see cref="Attend"/> without a cache, through <c>scaled_dot_product_attention</c> (causal,
    /// so query i sees keys 0..i of its chunk). That kernel divides scores by sqrt(d); Megalodon's scale is 1, so the
    /// queries are multiplied by sqrt(d) first. q, k and v go in one dtype: the values' (bf16 under a bf16 policy, so
    /// flash attention applies; its softmax accumulates in fp32). With <paramref name="splitValues"/> (and no dropout)
    /// values wider than the queries go through in query-wide slices that share q and k (see
    /// <see cref="AttentionKernel.FusedSplitValues"/>).
    /// </summary>
    private static Tensor AttendFused(Tensor q, Tensor k, Tensor v, double dropout, bool training, bool splitValues)
    {
        var type = v.dtype;
        long dz = q.shape[^1], dv = v.shape[^1];
        double p = training ? dropout : 0;
        var qh = (q * Math.Sqrt(dz)).to_type(type).transpose(1, 2);
        var kh = k.to_type(type).transpose(1, 2);
        var vh = v.transpose(1, 2);
        if (!splitValues || p > 0 || dv <= dz || dv % dz != 0)
            return nn.functional.scaled_dot_product_attention(qh, kh, vh, p: p, is_casual: true).transpose(1, 2);
        var slices = vh.split(dz, -1).Select(slice => nn.functional.scaled_dot_product_attention(qh, kh, slice, is_casual: true)).ToArray();
        return cat(slices, -1).transpose(1, 2);
    }
}
