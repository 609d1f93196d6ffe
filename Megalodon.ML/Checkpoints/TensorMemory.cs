using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>Gives a contiguous CPU tensor's bytes as a series of spans, so tensors above 2 GiB and streaming I/O work.</summary>
internal static class TensorMemory
{
    /// <summary>Largest span handed out at once (a .NET span is limited to 2 GiB; smaller keeps page faults spread out).</summary>
    public const long DefaultChunkBytes = 64L * 1024 * 1024;

    /// <summary>Receives one piece of a tensor's memory.</summary>
    public delegate void ChunkAction(Span<byte> chunk);

    /// <summary>
    /// Calls <paramref name="action"/> on consecutive spans covering the tensor's bytes in row-major order.
    /// The spans point into the tensor's native memory: writes go straight into the tensor.
    /// </summary>
    /// <param name="tensor">A contiguous tensor on the CPU.</param>
    /// <param name="action">Called once per chunk, in order.</param>
    public static void ForEachChunk(Tensor tensor, ChunkAction action) => ForEachChunk(tensor, action, DefaultChunkBytes);

    /// <summary>As <see cref="ForEachChunk(Tensor, ChunkAction)"/> with a chosen chunk size (tests use small ones).</summary>
    internal static void ForEachChunk(Tensor tensor, ChunkAction action, long chunkBytes)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("Tensor memory is only reachable for contiguous CPU tensors.", nameof(tensor));
        long count = tensor.numel();
        if (count == 0) return;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        long perChunk = Math.Max(1, Math.Min(chunkBytes, int.MaxValue) / tensor.ElementSize);
        using var flat = tensor.view(-1);
        for (long start = 0; start < count; start += perChunk)
        {
            // A narrow view of a contiguous 1-D tensor is contiguous; its data pointer includes the offset.
            using var part = flat.narrow(0, start, Math.Min(perChunk, count - start));
            action(part.bytes);
        }
    }
}
