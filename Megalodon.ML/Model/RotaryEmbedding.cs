using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Rotary position embedding with interleaved pairs: dimensions (2i, 2i+1) form one complex number rotated by
/// pos·base^(−2i/d). Megalodon restarts positions at 0 in every attention chunk. The inverse frequencies are a
/// buffer named <c>freqs</c>, as in the reference's state dict.
/// </summary>
public sealed class RotaryEmbedding : nn.Module<Tensor, Tensor>
{
    private Tensor freqs;

    /// <summary>Creates the embedding for a head dimension <paramref name="headDim"/> (even).</summary>
    public RotaryEmbedding(int headDim, double ropeBase) : base(nameof(RotaryEmbedding))
    {
        freqs = (arange(0, headDim, 2, ScalarType.Float64) / headDim).mul(-Math.Log(ropeBase)).exp().to_type(ScalarType.Float32);
        register_buffer("freqs", freqs);
    }

    /// <summary>Rotates (…, L, H, d) with positions 0..L−1.</summary>
    public override Tensor forward(Tensor x) => Rotate(x, 0);

    /// <summary>Rotates x of shape (B', L, H, d) at positions <paramref name="start"/>..start+L−1, in fp32 (fp64 for fp64 input).</summary>
    public Tensor Rotate(Tensor x, long start)
    {
        using var scope = NewDisposeScope();
        long length = x.shape[1], dim = x.shape[^1];
        var compute = ComputePrecision.RealFor(x.dtype);
        var positions = arange(start, start + length, compute, x.device);
        var angles = positions.unsqueeze(-1) * freqs.to_type(compute).unsqueeze(0);   // (L, d/2)
        var cos = angles.cos().view(1, length, 1, dim / 2);
        var sin = angles.sin().view(1, length, 1, dim / 2);
        var pairs = x.to_type(compute).unflatten(x.dim() - 1, [dim / 2, 2]);
        var even = pairs.select(-1, 0);
        var odd = pairs.select(-1, 1);
        var rotated = stack([even * cos - odd * sin, even * sin + odd * cos], -1).flatten(x.dim() - 1);
        return rotated.to_type(x.dtype).MoveToOuterDisposeScope();
    }
}
