using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// Reads and writes safetensors files: an 8-byte little-endian header length, a UTF-8 JSON header padded with
/// spaces to a multiple of 8, then every tensor back to back in name order, row-major and little-endian.
/// Files are treated as untrusted: see <see cref="SafeTensorsHeader"/> for the checks. Loading never runs code.
/// </summary>
public static class SafeTensors
{
    /// <summary>Reads and validates only the header (tensor names, types, shapes, offsets and metadata).</summary>
    /// <exception cref="InvalidDataException">The file breaks the format.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        return reader.Header;
    }

    /// <summary>Loads every tensor of a file, keyed by name; the caller owns (and disposes) the tensors.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="device">Where the tensors should live; null for the CPU.</param>
    /// <exception cref="InvalidDataException">The file breaks the format; the message names the file and the tensor.</exception>
    public static Dictionary<string, Tensor> Load(string path, Device? device = null) => Load(path, out _, device);

    /// <summary>Loads every tensor of a file and its <c>__metadata__</c> map (empty when absent).</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="metadata">The file's metadata strings.</param>
    /// <param name="device">Where the tensors should live; null for the CPU.</param>
    /// <exception cref="InvalidDataException">The file breaks the format; the message names the file and the tensor.</exception>
    public static Dictionary<string, Tensor> Load(string path, out IReadOnlyDictionary<string, string> metadata, Device? device = null)
    {
        using var reader = SafeTensorsReader.Open(path);
        metadata = reader.Metadata;
        return reader.ReadAll(device);
    }

    /// <summary>
    /// Writes tensors (any device, any layout; stored as their CPU contiguous bytes) and optional metadata strings,
    /// atomically: a temporary file in the same folder is flushed and then renamed to <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">Name → tensor; names must be unique and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string map stored under <c>__metadata__</c>.</param>
    /// <exception cref="NotSupportedException">A tensor's type has no safetensors dtype here.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        SafeTensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Writes tensors as a safetensors file to <paramref name="stream"/> from its current position, streamed: one
    /// tensor at a time, in chunks, so no byte array of the whole file (nor of a tensor) is ever made.
    /// </summary>
    /// <param name="stream">A writable stream (it need not seek).</param>
    /// <param name="tensors">Name → tensor; names must be unique and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string map stored under <c>__metadata__</c>.</param>
    public static void Save(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        SafeTensorsWriter.Write(stream, tensors, metadata, TensorMemory.DefaultChunkBytes);
    }
}
