using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// An open safetensors file: the header is validated on open, then tensors are read one at a time straight from
/// the file into tensor memory (no second copy of the file in memory).
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    private readonly FileStream _stream;

    private SafeTensorsReader(FileStream stream, SafeTensorsHeader header)
    {
        _stream = stream;
        Header = header;
    }

    /// <summary>The validated header.</summary>
    public SafeTensorsHeader Header { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// <summary>Tensor names in ordinal order.</summary>
    public IEnumerable<string> Names => Header.Names;

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header breaks the format.</exception>
    public static SafeTensorsReader Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"safetensors file '{path}' not found.", path);
        // No FileStream buffer: tensor reads go straight into tensor memory.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        try
        {
            return new SafeTensorsReader(stream, SafeTensorsHeader.Read(stream, path));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor of that name.</summary>
    public bool Contains(string name) => Header.Contains(name);

    /// <summary>Reads one tensor into a new CPU tensor (moved to <paramref name="device"/> when given).</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="device">Where the tensor should live; null for the CPU.</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    /// <exception cref="InvalidDataException">The data cannot be read as declared (file changed, invalid booleans).</exception>
    public Tensor Read(string name, Device? device = null)
    {
        var entry = Header[name];
        var tensor = torch.empty(entry.ShapeArray(), entry.DType.ToScalarType(), CPU);
        try
        {
            _stream.Position = Header.DataOffset + entry.Begin;
            TensorMemory.ForEachChunk(tensor, chunk =>
            {
                try { _stream.ReadExactly(chunk); }
                catch (EndOfStreamException)
                {
                    throw new InvalidDataException($"safetensors file '{Header.FilePath}' is invalid: tensor '{name}': data ends early (file truncated while reading?).");
                }
                if (entry.DType == SafeTensorDType.Bool) CheckBooleans(chunk, name);
            });
            if (device is null || device.type == DeviceType.CPU) return tensor;
            var moved = tensor.to(device);
            tensor.Dispose();
            return moved;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Reads every tensor, keyed by name. On failure, nothing read so far is left undisposed.</summary>
    /// <param name="device">Where the tensors should live; null for the CPU.</param>
    public Dictionary<string, Tensor> ReadAll(Device? device = null) => ReadMany(Header.Names, device);

    /// <summary>Reads the named tensors, keyed by name. On failure, nothing read so far is left undisposed.</summary>
    /// <param name="names">The tensors to read.</param>
    /// <param name="device">Where the tensors should live; null for the CPU.</param>
    public Dictionary<string, Tensor> ReadMany(IEnumerable<string> names, Device? device = null)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var name in names) result[name] = Read(name, device);
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    private void CheckBooleans(ReadOnlySpan<byte> chunk, string name)
    {
        // torch assumes a bool byte is 0 or 1; other values would give undefined results later.
        int bad = chunk.IndexOfAnyExcept((byte)0, (byte)1);
        if (bad >= 0)
            throw new InvalidDataException($"safetensors file '{Header.FilePath}' is invalid: tensor '{name}': BOOL byte 0x{chunk[bad]:x2} is neither 0 nor 1.");
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();
}
