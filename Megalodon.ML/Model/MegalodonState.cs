namespace Megalodon.ML.Model;

/// <summary>
/// The streaming state of a whole model: one <see cref="LayerState"/> per layer plus the final TimestepNorm's
/// statistics. Its size depends on the chunk size, never on how many tokens were consumed, which is what lets
/// Megalodon read unlimited context in bounded memory.
/// </summary>
public sealed class MegalodonState : IDisposable
{
    internal MegalodonState(int batchSize, int layers)
    {
        BatchSize = batchSize;
        Layers = Enumerable.Range(0, layers).Select(_ => new LayerState()).ToArray();
    }

    private MegalodonState(int batchSize, LayerState[] layers, TimestepNormState? finalNorm, long position)
    {
        BatchSize = batchSize;
        Layers = layers;
        FinalNorm = finalNorm;
        Position = position;
    }

    /// <summary>Batch size the state was created for.</summary>
    public int BatchSize { get; }
    /// <summary>Tokens consumed so far.</summary>
    public long Position { get; internal set; }
    /// <summary>Per-layer state.</summary>
    public IReadOnlyList<LayerState> Layers { get; }
    /// <summary>Statistics of the final TimestepNorm, or null before the first call.</summary>
    public TimestepNormState? FinalNorm { get; private set; }

    internal void ReplaceFinalNorm(TimestepNormState state)
    {
        FinalNorm?.Dispose();
        FinalNorm = state;
    }

    /// <summary>A deep copy (for example to branch generation from a shared prompt).</summary>
    public MegalodonState Clone() => new(BatchSize, Layers.Select(l => l.Clone()).ToArray(), FinalNorm?.Clone(), Position);

    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        foreach (var layer in Layers) layer.Dispose();
        FinalNorm?.Dispose();
    }
}
