namespace Megalodon.ML.Checkpoints;

/// <summary>One tensor's header entry in a safetensors file, already validated.</summary>
/// <param name="Name">The tensor name (the header key).</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The dimensions, outermost first; empty for a scalar.</param>
/// <param name="Begin">First byte of the data, counted from the first byte after the header.</param>
/// <param name="End">One past the last byte of the data, same origin as <paramref name="Begin"/>.</param>
public sealed record SafeTensorEntry(string Name, SafeTensorDType DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var d in Shape) count *= d;   // validated against overflow when the header was read
            return count;
        }
    }

    /// <summary>Bytes of data: <see cref="End"/> − <see cref="Begin"/>.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as an array, as TorchSharp wants it.</summary>
    public long[] ShapeArray() => [.. Shape];
}
