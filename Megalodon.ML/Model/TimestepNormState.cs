using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// The running statistics TimestepNorm carries from one segment of a stream to the next: per batch row the number
/// of steps seen, and per group the mean and (biased) variance of everything seen so far. Kept in float64 so that a
/// stream of millions of steps does not drift.
/// </summary>
public sealed class TimestepNormState : IDisposable
{
    /// <summary>Creates a state from its tensors (taken over: this object disposes them).</summary>
    /// <param name="count">(B) int64 steps seen.</param>
    /// <param name="mean">(B,G) float64 running mean.</param>
    /// <param name="variance">(B,G) float64 running biased variance.</param>
    public TimestepNormState(Tensor count, Tensor mean, Tensor variance)
    {
        Count = count;
        Mean = mean;
        Variance = variance;
    }

    /// <summary>(B) int64: steps seen per batch row.</summary>
    public Tensor Count { get; }
    /// <summary>(B,G) float64: running mean per group.</summary>
    public Tensor Mean { get; }
    /// <summary>(B,G) float64: running biased variance per group.</summary>
    public Tensor Variance { get; }

    /// <summary>A deep copy, detached from any dispose scope.</summary>
    public TimestepNormState Clone() => new(Count.clone().DetachFromDisposeScope(), Mean.clone().DetachFromDisposeScope(), Variance.clone().DetachFromDisposeScope());

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Count.Dispose();
        Mean.Dispose();
        Variance.Dispose();
    }
}
