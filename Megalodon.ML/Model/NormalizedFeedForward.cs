using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// The feed-forward sub-layer (spec §3.2): LayerNorm, then SiLU or SwiGLU, then the projection back to D. Its
/// result is added to the block's <em>input</em>, not to the attention output: the two-hop residual, applied by
/// <see cref="MegalodonBlock"/>. With <c>rescale_nffn</c> a learned per-feature scale <c>alpha</c> multiplies the output.
/// </summary>
public sealed class NormalizedFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly MegalodonConfig _config;
    private readonly PrecisionPolicy _precision;
    private readonly OffsetLayerNorm norm;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear? fc3;
    // Registered name; Module.to() re-binds fields by name.
    private Parameter? alpha;

    /// <summary>Creates the sub-layer for layer <paramref name="layerIndex"/> (the layer scale starts at 0.1·0.5^layer), computing its projections under <paramref name="precision"/>.</summary>
    public NormalizedFeedForward(MegalodonConfig config, int layerIndex, PrecisionPolicy precision) : base(nameof(NormalizedFeedForward))
    {
        _config = config;
        _precision = precision;
        int d = config.ModelDim, f = config.FfnHiddenDim;
        norm = new OffsetLayerNorm(d, config.NormEps, config.NormAffine);
        fc1 = nn.Linear(d, f, hasBias: false);
        fc2 = nn.Linear(f, d, hasBias: false);
        register_module("norm", norm);
        register_module("fc1", fc1);
        register_module("fc2", fc2);
        if (config.SwiGlu)
        {
            fc3 = nn.Linear(d, f, hasBias: false);
            register_module("fc3", fc3);
        }
        if (config.RescaleNffn)
        {
            alpha = new Parameter(full(d, 0.1 * Math.Pow(0.5, layerIndex)));
            register_parameter("alpha", alpha);
        }
    }

    /// <summary>The linear projections, for initialisation.</summary>
    internal IEnumerable<Linear> Projections => fc3 is null ? [fc1, fc2] : [fc1, fc2, fc3];

    /// <summary>FFN(LayerNorm(y)), scaled by alpha when present: the amount to add to the block input.</summary>
    public override Tensor forward(Tensor y)
    {
        using var scope = NewDisposeScope();
        var u = norm.forward(y);
        var hidden = nn.functional.silu(_precision.Linear(fc1, u));
        if (fc3 is not null) hidden = hidden * _precision.Linear(fc3, u);
        if (training && _config.HiddenDropout > 0) hidden = nn.functional.dropout(hidden, _config.HiddenDropout, training);
        var output = _precision.Linear(fc2, hidden);
        if (training && _config.Dropout > 0) output = nn.functional.dropout(output, _config.Dropout, training);
        if (alpha is not null) output = output * alpha;
        return output.MoveToOuterDisposeScope();
    }
}
