using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// RMSNorm over the last dimension, computed in fp32: <c>x · rsqrt(mean(x²) + eps) · (w + 1)</c>.
/// The scale is stored as an offset from one (initialised to zero), as everywhere in Megalodon, so weight decay
/// pulls the effective scale toward 1.
/// </summary>
public sealed class OffsetRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;
    private Parameter? weight;

    /// <summary>Creates the norm.</summary>
    /// <param name="dim">Size of the normalised (last) dimension.</param>
    /// <param name="eps">Added to the mean square.</param>
    /// <param name="affine">Whether to learn the per-feature scale (stored as <c>weight</c>).</param>
    public OffsetRmsNorm(int dim, double eps, bool affine) : base(nameof(OffsetRmsNorm))
    {
        _eps = eps;
        if (affine)
        {
            weight = new Parameter(zeros(dim));
            register_parameter("weight", weight);
        }
    }

    /// <summary>Normalises <paramref name="x"/> over its last dimension.</summary>
    public override Tensor forward(Tensor x) => Normalize(x, _eps, weight);

    /// <summary>The RMSNorm formula, with an optional offset scale; shared with the per-head Q/K normalisation.</summary>
    internal static Tensor Normalize(Tensor x, double eps, Tensor? offsetWeight)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to_type(ComputePrecision.RealFor(x.dtype));
        var y = x32 * x32.square().mean([-1L], keepdim: true).add(eps).rsqrt();
        if (offsetWeight is not null)
            y = y * (offsetWeight + 1.0);
        return y.to_type(x.dtype).MoveToOuterDisposeScope();
    }
}
