using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>What one layer carries between streaming calls: TimestepNorm statistics, the CEMA complex state and the partial chunk's keys and values.</summary>
public sealed class LayerState : IDisposable
{
    /// <summary>TimestepNorm statistics, or null before the first call.</summary>
    public TimestepNormState? Norm { get; private set; }
    /// <summary>CEMA state (B,D,N) complex64, or null before the first call.</summary>
    public Tensor? CemaHidden { get; private set; }
    /// <summary>Keys and values of the current partial attention chunk.</summary>
    public AttentionCache Attention { get; private init; } = new();

    internal void ReplaceNorm(TimestepNormState state)
    {
        Norm?.Dispose();
        Norm = state;
    }

    internal void ReplaceCemaHidden(Tensor hidden)
    {
        CemaHidden?.Dispose();
        CemaHidden = hidden;
    }

    /// <summary>A deep copy.</summary>
    public LayerState Clone() => new()
    {
        Norm = Norm?.Clone(),
        CemaHidden = CemaHidden?.clone().DetachFromDisposeScope(),
        Attention = Attention.Clone(),
    };

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Norm?.Dispose();
        CemaHidden?.Dispose();
        Attention.Dispose();
    }
}
