using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// A minimal reader and writer of the safetensors layout (8-byte little-endian header length, a JSON header of
/// name → dtype, shape, data offsets, then the raw little-endian data), enough for training checkpoints. Tensors are
/// written in ordinal name order so the same state gives the same bytes.
/// </summary>
internal static class TensorFile
{
    private static readonly (ScalarType Type, string Name)[] DTypes =
    {
        (ScalarType.Float32, "F32"), (ScalarType.Float64, "F64"), (ScalarType.Float16, "F16"), (ScalarType.BFloat16, "BF16"),
        (ScalarType.Int64, "I64"), (ScalarType.Int32, "I32"), (ScalarType.Int16, "I16"), (ScalarType.Int8, "I8"),
        (ScalarType.Byte, "U8"), (ScalarType.Bool, "BOOL"),
    };

    /// <summary>Writes <paramref name="tensors"/> (any device) to <paramref name="path"/>, flushed to disk.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = torch.NewDisposeScope();
        var names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var cpu = names.Select(n => tensors[n].detach().cpu().contiguous()).ToArray();

        using var headerBuffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerBuffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            for (var i = 0; i < names.Length; i++)
            {
                var t = cpu[i];
                var size = t.numel() * t.ElementSize;
                json.WriteStartObject(names[i]);
                json.WriteString("dtype", DTypeName(t.dtype, names[i]));
                json.WriteStartArray("shape");
                foreach (var d in t.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }
        // The format pads the header with spaces to a multiple of 8 bytes.
        var header = headerBuffer.ToArray();
        var padded = (header.Length + 7) / 8 * 8;

        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);
        file.Write(lengthBytes);
        file.Write(header);
        for (var i = header.Length; i < padded; i++) file.WriteByte((byte)' ');
        foreach (var t in cpu)
            if (t.numel() > 0) file.Write(t.bytes);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Reads every tensor of <paramref name="path"/> onto the CPU (tensors owned by the caller).</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed tensor file.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> lengthBytes = stackalloc byte[8];
        file.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(file.Length - 8) || headerLength > 100_000_000)
            throw new InvalidDataException($"'{path}': header length {headerLength} does not fit the file.");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;

        var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
        using (var doc = JsonDocument.Parse(header))
        {
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                var type = DType(p.Value.GetProperty("dtype").GetString(), path);
                var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > file.Length)
                    throw new InvalidDataException($"'{path}': tensor '{p.Name}' has data offsets outside the file.");
                entries.Add((p.Name, type, shape, offsets[0], offsets[1]));
            }
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                var t = torch.empty(e.Shape, dtype: e.Type);
                result.Add(e.Name, t);
                var expected = t.numel() * t.ElementSize;
                if (expected != e.End - e.Begin)
                    throw new InvalidDataException($"'{path}': tensor '{e.Name}' holds {e.End - e.Begin} bytes, its shape needs {expected}.");
                if (expected == 0) continue;
                file.Position = dataStart + e.Begin;
                file.ReadExactly(t.bytes);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static string DTypeName(ScalarType type, string name)
    {
        foreach (var (t, n) in DTypes)
            if (t == type) return n;
        throw new NotSupportedException($"Tensor '{name}' has dtype {type}, which tensor files do not store.");
    }

    private static ScalarType DType(string? name, string path)
    {
        foreach (var (t, n) in DTypes)
            if (n == name) return t;
        throw new InvalidDataException($"'{path}': unknown dtype '{name}'.");
    }

    /// <summary>UTF-8 without a byte-order mark, for the JSON side files.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
