using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Megalodon's TimestepNorm: a causal group norm. At step t each group of D/G features is normalised with the mean
/// and variance of every element of that group over steps 0..t (plus any carried prior), so a stream split into
/// segments normalises exactly as one long sequence.
/// </summary>
/// <remarks>
/// Per-step moments are reduced to (B,L,G) first and only those small tensors are accumulated, in float64: the
/// cumulative sums then stay accurate over very long streams while the cost stays that of an ordinary group norm.
/// </remarks>
public sealed class TimestepNorm : nn.Module<Tensor, Tensor>
{
    private readonly int _groups;
    private readonly double _eps;
    private Parameter weight;
    private Parameter bias;
    private Tensor prior_count;
    private Tensor prior_mean;
    private Tensor prior_logv;

    /// <summary>Creates the norm.</summary>
    /// <param name="dim">Feature size D.</param>
    /// <param name="groups">Number of groups G (divides D).</param>
    /// <param name="eps">Added to the variance.</param>
    public TimestepNorm(int dim, int groups, double eps) : base(nameof(TimestepNorm))
    {
        if (dim % groups != 0) throw new ArgumentException($"TimestepNorm: dim {dim} is not divisible by groups {groups}.");
        _groups = groups;
        _eps = eps;
        weight = new Parameter(zeros(dim));
        bias = new Parameter(zeros(dim));
        prior_count = zeros([], ScalarType.Int64);
        prior_mean = zeros(groups);
        prior_logv = zeros(groups);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        register_buffer("prior_count", prior_count);
        register_buffer("prior_mean", prior_mean);
        register_buffer("prior_logv", prior_logv);
    }

    /// <summary>Normalises a whole sequence (B,L,D) from the prior statistics.</summary>
    public override Tensor forward(Tensor x) => Forward(x, null, out _, returnState: false);

    /// <summary>Normalises (B,L,D) continuing from <paramref name="state"/> (null: the prior).</summary>
    /// <param name="x">Input (B,L,D).</param>
    /// <param name="state">Statistics carried from earlier steps, or null.</param>
    /// <param name="newState">The statistics after the last step, when <paramref name="returnState"/>; else null. Not in any dispose scope.</param>
    /// <param name="returnState">Whether to compute <paramref name="newState"/>.</param>
    public Tensor Forward(Tensor x, TimestepNormState? state, out TimestepNormState? newState, bool returnState)
    {
        long batch = x.shape[0], length = x.shape[1], dim = x.shape[2];
        using var scope = NewDisposeScope();
        var compute = ComputePrecision.RealFor(x.dtype);
        var grouped = x.to_type(compute).view(batch, length, _groups, dim / _groups);
        var stepMean = grouped.mean([-1L]).to_type(ScalarType.Float64);
        var stepSquare = grouped.square().mean([-1L]).to_type(ScalarType.Float64);

        Tensor count0, mean0, var0;
        if (state is not null)
        {
            count0 = state.Count.to_type(ScalarType.Float64).view(batch, 1, 1);
            mean0 = state.Mean.view(batch, 1, _groups);
            var0 = state.Variance.view(batch, 1, _groups);
        }
        else
        {
            count0 = prior_count.to_type(ScalarType.Float64);
            mean0 = prior_mean.to_type(ScalarType.Float64);
            var0 = prior_logv.to_type(ScalarType.Float64).exp();
        }

        var steps = count0 + arange(1, length + 1, ScalarType.Float64, x.device).view(1, length, 1);
        var mean = (count0 * mean0 + CumulativeSumOverTime(stepMean)) / steps;
        var variance = (count0 * (var0 + mean0.square()) + CumulativeSumOverTime(stepSquare)) / steps - mean.square();
        var rstd = (variance + _eps).rsqrt();

        var normalized = (grouped - mean.to_type(compute).unsqueeze(-1)) * rstd.to_type(compute).unsqueeze(-1);
        var y = normalized.view(batch, length, dim) * (weight + 1.0) + bias;

        newState = null;
        if (returnState)
        {
            var lastCount = (state?.Count ?? prior_count.expand(batch)) + length;
            newState = new TimestepNormState(
                lastCount.DetachFromDisposeScope(),
                mean.select(1, length - 1).detach().DetachFromDisposeScope(),
                variance.select(1, length - 1).detach().DetachFromDisposeScope());
        }
        return y.to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Running sums over time of per-step group statistics (B,L,G), computed with time as the innermost dimension:
    /// CUDA's scan over a non-innermost dimension with only G columns walks the L steps serially, which made this
    /// norm half of a 32K-token training step on an H200 (docs/benchmarks.md), while a scan along the last dimension
    /// runs in parallel.
    /// </summary>
    private static Tensor CumulativeSumOverTime(Tensor perStep) => perStep.transpose(1, 2).contiguous().cumsum(-1).transpose(1, 2);
}
