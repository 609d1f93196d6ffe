using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// An open safetensors file or stream: the header is validated on open, then tensors are read one at a time straight
/// from the stream into tensor memory, in chunks (no second copy of the file in memory, tensors above 2 GiB work).
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _chunkBytes;

    private SafeTensorsReader(Stream stream, SafeTensorsHeader header, bool leaveOpen, long chunkBytes)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _chunkBytes = chunkBytes;
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
            return new SafeTensorsReader(stream, SafeTensorsHeader.Read(stream, path), leaveOpen: false, TensorMemory.DefaultChunkBytes);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads a safetensors file held by a readable, seekable stream whose position 0 is the file's first byte (a model
    /// zip's entry, for instance). The stream is closed with the reader unless <paramref name="leaveOpen"/>.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="name">What to call the stream in error messages.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves the stream open.</param>
    /// <exception cref="InvalidDataException">The header breaks the format.</exception>
    public static SafeTensorsReader Open(Stream stream, string name, bool leaveOpen = false) =>
        Open(stream, name, leaveOpen, TensorMemory.DefaultChunkBytes);

    /// <summary>As <see cref="Open(Stream, string, bool)"/> with a chosen read chunk size (tests use small ones).</summary>
    internal static SafeTensorsReader Open(Stream stream, string name, bool leaveOpen, long chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");
        if (!stream.CanRead || !stream.CanSeek)
            throw new ArgumentException($"Reading safetensors from '{name}' needs a readable, seekable stream.", nameof(stream));
        return new SafeTensorsReader(stream, SafeTensorsHeader.Read(stream, name), leaveOpen, chunkBytes);
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
            ReadData(entry, tensor);
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

    /// <summary>
    /// Reads one tensor into an existing tensor of the same shape: straight into its memory when it is a contiguous
    /// CPU tensor of the stored dtype, otherwise through one temporary copy of this tensor (converted on copy).
    /// </summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="target">The tensor to overwrite (a parameter, for instance; written without recording gradients).</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    /// <exception cref="InvalidDataException">The shape differs, or the data cannot be read as declared.</exception>
    public void ReadInto(string name, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var entry = Header[name];
        if (!entry.ShapeArray().SequenceEqual(target.shape))
            throw new InvalidDataException($"safetensors '{Header.FilePath}': tensor '{name}' has shape [{string.Join(", ", entry.ShapeArray())}], the target needs [{string.Join(", ", target.shape)}].");
        using var noGrad = torch.no_grad();
        if (target.device_type == DeviceType.CPU && target.is_contiguous() && target.dtype == entry.DType.ToScalarType())
        {
            using var view = target.detach();
            ReadData(entry, view);
            return;
        }
        using var staged = Read(name);
        target.copy_(staged);
    }

    private void ReadData(SafeTensorEntry entry, Tensor tensor)
    {
        _stream.Position = Header.DataOffset + entry.Begin;
        TensorMemory.ForEachChunk(tensor, chunk =>
        {
            try { _stream.ReadExactly(chunk); }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"safetensors file '{Header.FilePath}' is invalid: tensor '{entry.Name}': data ends early (file truncated while reading?).");
            }
            if (entry.DType == SafeTensorDType.Bool) CheckBooleans(chunk, entry.Name);
        }, _chunkBytes);
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

    /// <summary>Closes the file (a stream given to <see cref="Open(Stream, string, bool)"/> only when it was not to be left open).</summary>
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
