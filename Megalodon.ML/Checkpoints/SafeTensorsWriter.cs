using Megalodon.ML.IO;
using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>Serialises tensors to the safetensors layout: u64 header length, space-padded JSON, data in name order.</summary>
internal static class SafeTensorsWriter
{
    private sealed record Planned(string Name, Tensor Tensor, SafeTensorDType DType, long[] Shape, long Begin, long End);

    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var plan = Plan(tensors);
        AtomicFile.Write(path, stream => Write(stream, plan, metadata, TensorMemory.DefaultChunkBytes));
    }

    /// <summary>
    /// Writes a whole safetensors file to <paramref name="stream"/> from its current position, one tensor and one
    /// chunk at a time: nothing but the header and one tensor's CPU/contiguous copy (when it needs one) is held.
    /// </summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata, long chunkBytes) =>
        Write(stream, Plan(tensors), metadata, chunkBytes);

    private static void Write(Stream stream, List<Planned> plan, IReadOnlyDictionary<string, string>? metadata, long chunkBytes)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");
        byte[] header = BuildHeader(plan, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var p in plan) WriteData(stream, p.Tensor, chunkBytes);
    }

    private static List<Planned> Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var plan = new List<Planned>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            ArgumentNullException.ThrowIfNull(name);
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved and cannot name a tensor.");
            if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' is given twice.");
            if (tensor is null || tensor.IsInvalid) throw new ArgumentException($"Tensor '{name}' is null or disposed.");
            var dtype = SafeTensorDTypes.FromScalarType(tensor.dtype);
            long bytes = checked(tensor.numel() * dtype.ElementSize());
            plan.Add(new Planned(name, tensor, dtype, tensor.shape, offset, offset + bytes));
            offset += bytes;
        }
        return plan;
    }

    private static byte[] BuildHeader(List<Planned> plan, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    json.WriteString(key, value ?? throw new ArgumentException($"Metadata value for '{key}' is null."));
                json.WriteEndObject();
            }
            foreach (var p in plan)
            {
                json.WriteStartObject(p.Name);
                json.WriteString("dtype", p.DType.ToName());
                json.WriteStartArray("shape");
                foreach (var d in p.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(p.Begin);
                json.WriteNumberValue(p.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned (8 + a multiple of 8).
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteData(Stream stream, Tensor tensor, long chunkBytes)
    {
        // Temporaries (detach, cpu copy, contiguous copy) die with this scope; the caller's tensor is not registered in it.
        using var scope = torch.NewDisposeScope();
        var source = tensor.detach();
        if (source.device_type != DeviceType.CPU) source = source.cpu();
        if (!source.is_contiguous()) source = source.contiguous();
        TensorMemory.ForEachChunk(source, chunk => stream.Write(chunk), chunkBytes);
    }
}
