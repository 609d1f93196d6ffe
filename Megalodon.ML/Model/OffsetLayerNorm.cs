using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Standard LayerNorm (biased variance) whose scale is stored as an offset from one: <c>LN(x)·(w + 1) + b</c>.
/// Megalodon uses it before the feed-forward network.
/// </summary>
public sealed class OffsetLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly long[] _shape;
    private readonly double _eps;
    private Parameter? weight;
    private Parameter? bias;

    /// <summary>Creates the norm over a last dimension of size <paramref name="dim"/>.</summary>
    /// <param name="dim">Normalised size.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="affine">Whether to learn <c>weight</c> (offset scale) and <c>bias</c>.</param>
    public OffsetLayerNorm(int dim, double eps, bool affine) : base(nameof(OffsetLayerNorm))
    {
        _shape = [dim];
        _eps = eps;
        if (affine)
        {
            weight = new Parameter(zeros(dim));
            bias = new Parameter(zeros(dim));
            register_parameter("weight", weight);
            register_parameter("bias", bias);
        }
    }

    /// <summary>Normalises <paramref name="x"/> over its last dimension.</summary>
    public override Tensor forward(Tensor x)
    {
        if (weight is null)
            return nn.functional.layer_norm(x, _shape, eps: _eps);
        using var scale = weight + 1.0;
        return nn.functional.layer_norm(x, _shape, scale, bias, _eps);
    }
}
