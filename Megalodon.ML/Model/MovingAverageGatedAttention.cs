using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// The attention sub-layer of a Megalodon block (spec §3.1): TimestepNorm → CEMA → RMSNorm gives the shared
/// representation mx; normalised Q/K come from one projection z of mx, values from the TimestepNorm output, an output
/// gate from mx; chunk-wise attention; and the residual <c>y = x + Wh1·mx + Wh2·(attention ⊙ gate)</c>.
/// </summary>
public sealed class MovingAverageGatedAttention : nn.Module<Tensor, Tensor>
{
    private readonly MegalodonConfig _config;
    private readonly int _layerIndex;
    private readonly PrecisionPolicy _precision;
    private readonly AttentionPolicy _attention;
    private readonly TimestepNorm timenorm;
    private readonly ComplexExponentialMovingAverage cema;
    private readonly OffsetRmsNorm rmsnorm;
    private readonly Linear wz;
    private readonly Linear wv;
    private readonly Linear wr;
    private readonly Linear wh1;
    private readonly Linear wh2;
    // Parameter fields carry their registered names: Module.to() re-binds fields by name.
    private Parameter gamma;
    private Parameter beta;

    /// <summary>
    /// Creates the sub-layer of layer <paramref name="layerIndex"/>, computing its projections under <paramref name="precision"/>
    /// and its attention with the kernel of <paramref name="attention"/> (null: <see cref="AttentionKernel.Auto"/>).
    /// </summary>
    public MovingAverageGatedAttention(MegalodonConfig config, int layerIndex, PrecisionPolicy precision, AttentionPolicy? attention = null)
        : base(nameof(MovingAverageGatedAttention))
    {
        _config = config;
        _precision = precision;
        _attention = attention ?? new AttentionPolicy();
        _layerIndex = layerIndex;
        int d = config.ModelDim, z = config.ZDim, e = config.ValueDim;
        timenorm = new TimestepNorm(d, config.NormNumGroups, config.NormEps);
        cema = new ComplexExponentialMovingAverage(d, config.CemaNDim);
        rmsnorm = new OffsetRmsNorm(d, config.NormEps, config.NormAffine);
        wz = nn.Linear(d, z);
        wv = nn.Linear(d, e);
        wr = nn.Linear(d, e);
        wh1 = nn.Linear(d, d);
        wh2 = nn.Linear(e, d, hasBias: false);
        gamma = new Parameter(zeros(2, z));
        beta = new Parameter(zeros(2, z));
        register_module("timenorm", timenorm);
        register_module("cema", cema);
        register_module("rmsnorm", rmsnorm);
        register_module("wz", wz);
        register_module("wv", wv);
        register_module("wr", wr);
        register_module("wh1", wh1);
        register_module("wh2", wh2);
        register_parameter("gamma", gamma);
        register_parameter("beta", beta);
    }

    /// <summary>The linear projections, for initialisation.</summary>
    internal IEnumerable<Linear> Projections => [wz, wv, wr, wh1, wh2];

    /// <summary>Not available alone: the sub-layer needs the model's shared rotary table; use the owning <see cref="MegalodonModel"/>.</summary>
    public override Tensor forward(Tensor x) => throw new NotSupportedException("MovingAverageGatedAttention runs inside a MegalodonModel, which supplies the shared rotary table.");

    /// <summary>
    /// Forward of (B,L,D). With <paramref name="state"/> it continues a stream (norm, CEMA and attention cache are
    /// read and updated); without, it is the training/full-sequence path. <paramref name="rope"/> is the model's
    /// shared rotary table (passed in, not held, so it is not registered once per layer).
    /// </summary>
    internal Tensor Forward(Tensor x, RotaryEmbedding rope, LayerState? state, Action<string, Tensor>? tap)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], length = x.shape[1];
        int heads = _config.NumHeads, dz = _config.HeadZDim, dv = _config.HeadValueDim;
        string prefix = $"layer{_layerIndex}.";
        tap?.Invoke(prefix + "timestep_norm.in", x);

        var xt = timenorm.Forward(x, state?.Norm, out var normState, returnState: state is not null);
        tap?.Invoke(prefix + "timestep_norm.out", xt);

        var cemaIn = xt.transpose(1, 2);
        tap?.Invoke(prefix + "cema.in", cemaIn);
        var cemaOut = cema.Forward(cemaIn, state?.CemaHidden, out var hidden, returnState: state is not null);
        tap?.Invoke(prefix + "cema.out", cemaOut);

        var mx = rmsnorm.forward(cemaOut.transpose(1, 2));
        tap?.Invoke(prefix + "rmsnorm.out", mx);
        mx = Dropout(mx, _config.HiddenDropout);

        // Shared Q/K: per-head RMS-normalised z, then a learned per-dimension scale (offset from 1)/sqrt(dz) and shift.
        var z = OffsetRmsNorm.Normalize(_precision.Linear(wz, mx).view(batch, length, heads, dz), _config.NormEps, null).view(batch, length, -1);
        var scale = (gamma + 1.0) / Math.Sqrt(dz);
        var q = (z * scale[0] + beta[0]).view(batch, length, heads, dz);
        var k = (z * scale[1] + beta[1]).view(batch, length, heads, dz);
        var v = nn.functional.silu(_precision.Linear(wv, xt)).view(batch, length, heads, dv);
        var gate = nn.functional.silu(_precision.Linear(wr, mx));

        var kernel = _attention.For(x.device);
        var attention = state is null
            ? ChunkedAttention.Full(q, k, v, _config.ChunkSize, rope, _config.AttentionDropout, training, kernel)
            : ChunkedAttention.Streaming(q, k, v, state.Attention, _config.ChunkSize, rope, kernel);
        tap?.Invoke(prefix + "attention.out", attention);

        var gated = Dropout(attention * gate, _config.HiddenDropout);
        var h = Dropout(_precision.Linear(wh1, mx) + _precision.Linear(wh2, gated), _config.Dropout);
        var y = h + x;
        tap?.Invoke(prefix + "attn_out", y);

        if (state is not null)
        {
            state.ReplaceNorm(normState!);
            state.ReplaceCemaHidden(hidden!);
        }
        return y.MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x, double p) => p > 0 && training ? nn.functional.dropout(x, p, training) : x;
}
