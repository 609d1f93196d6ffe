using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Keys (post-RoPE) and values of the current, unfinished attention chunk. It is emptied whenever a chunk
/// completes, so it never holds more than one chunk: this is what bounds streaming memory.
/// </summary>
public sealed class AttentionCache : IDisposable
{
    /// <summary>Keys (B,n,H,dz), or null when the chunk is empty.</summary>
    public Tensor? Keys { get; private set; }
    /// <summary>Values (B,n,H,dv), or null when the chunk is empty.</summary>
    public Tensor? Values { get; private set; }
    /// <summary>Tokens of the current chunk seen so far (n).</summary>
    public long Length => Keys?.shape[1] ?? 0;

    /// <summary>Replaces the contents (tensors are taken over), or empties the cache when both are null.</summary>
    public void Set(Tensor? keys, Tensor? values)
    {
        Keys?.Dispose();
        Values?.Dispose();
        Keys = keys?.DetachFromDisposeScope();
        Values = values?.DetachFromDisposeScope();
    }

    /// <summary>A deep copy.</summary>
    public AttentionCache Clone()
    {
        var copy = new AttentionCache();
        copy.Set(Keys?.clone(), Values?.clone());
        return copy;
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose() => Set(null, null);
}
