using System.Buffers.Binary;
using System.Text.Json;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// The validated header of a safetensors file: tensor entries in data order and the optional <c>__metadata__</c>
/// string map. A file is untrusted input, so every rule of the format is checked before any tensor is allocated.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>Largest header accepted (100 MiB): a bound on what a hostile length field can make us allocate.</summary>
    public const long MaxHeaderLength = 100L * 1024 * 1024;

    /// <summary>Unused bytes tolerated between tensors and after the last one, for writers that align data to 8 bytes.</summary>
    public const int MaxAlignmentPadding = 7;

    /// <summary>The header key that holds the metadata map instead of a tensor.</summary>
    public const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafeTensorEntry> _byName;

    private SafeTensorsHeader(string path, long headerLength, long dataLength, List<SafeTensorEntry> entries,
        Dictionary<string, string> metadata)
    {
        FilePath = path;
        HeaderLength = headerLength;
        DataLength = dataLength;
        Entries = entries;
        Metadata = metadata;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The file the header was read from (used in error messages).</summary>
    public string FilePath { get; }

    /// <summary>Bytes of JSON, padding included (the value of the leading u64).</summary>
    public long HeaderLength { get; }

    /// <summary>Absolute file offset of the data section: 8 + <see cref="HeaderLength"/>.</summary>
    public long DataOffset => 8 + HeaderLength;

    /// <summary>Bytes in the data section (file length − <see cref="DataOffset"/>).</summary>
    public long DataLength { get; }

    /// <summary>Every tensor entry, in increasing data offset.</summary>
    public IReadOnlyList<SafeTensorEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in ordinal order.</summary>
    public IEnumerable<string> Names => _byName.Keys.Order(StringComparer.Ordinal);

    /// <summary>Whether a tensor of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks a tensor entry up by name.</summary>
    public bool TryGetEntry(string name, out SafeTensorEntry entry) => _byName.TryGetValue(name, out entry!);

    /// <summary>The entry of a tensor.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public SafeTensorEntry this[string name] => _byName.TryGetValue(name, out var e)
        ? e
        : throw new KeyNotFoundException($"safetensors file '{FilePath}' has no tensor '{name}'.");

    /// <summary>Reads and validates the header of the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file breaks the format; the message names the file and the tensor.</exception>
    public static SafeTensorsHeader Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads and validates a header from a seekable stream positioned anywhere; the stream is left just after the header.
    /// </summary>
    /// <param name="stream">A readable, seekable stream holding a whole safetensors file.</param>
    /// <param name="path">The name to use in error messages.</param>
    /// <exception cref="InvalidDataException">The file breaks the format.</exception>
    public static SafeTensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Invalid(path, $"the file is {fileLength} bytes, too short to hold the 8-byte header length (truncated header)");

        stream.Position = 0;
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong rawLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (rawLength > MaxHeaderLength)
            throw Invalid(path, $"header length {rawLength} exceeds the limit of {MaxHeaderLength} bytes");
        long headerLength = (long)rawLength;
        if (headerLength > fileLength - 8)
            throw Invalid(path, $"header length {headerLength} runs past the end of the file ({fileLength} bytes; truncated header)");
        if (headerLength < 2)
            throw Invalid(path, $"header length {headerLength} is too small to hold a JSON object");

        var json = new byte[headerLength];
        stream.ReadExactly(json);
        long dataLength = fileLength - 8 - headerLength;

        var (entries, metadata) = Parse(json, path, dataLength);
        long lastEnd = CheckLayout(entries, path, dataLength);
        CheckTrailingPadding(stream, path, 8 + headerLength, lastEnd, dataLength);
        stream.Position = 8 + headerLength;
        return new SafeTensorsHeader(path, headerLength, dataLength, entries, metadata);
    }

    private static (List<SafeTensorEntry> Entries, Dictionary<string, string> Metadata) Parse(byte[] json, string path, long dataLength)
    {
        // JsonDocument decodes strings lazily, so invalid UTF-8 must be caught up front.
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw Invalid(path, "header is not valid UTF-8");
        JsonDocument document;
        try
        {
            // The header holds only data: nothing in it is ever executed or used to pick a type to construct.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            throw Invalid(path, $"header is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(path, $"header is JSON but not an object (found {root.ValueKind})");

            var entries = new List<SafeTensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Invalid(path, $"tensor '{property.Name}' appears twice in the header (duplicate key)");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, path, metadata);
                else
                    entries.Add(ReadEntry(property.Name, property.Value, path, dataLength));
            }
            // Data order; ties (empty tensors) broken by name so the order is deterministic.
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin)
                : a.End != b.End ? a.End.CompareTo(b.End) : string.CompareOrdinal(a.Name, b.Name));
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, string path, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"'{MetadataKey}' must be an object of strings (found {value.ValueKind})");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Invalid(path, $"'{MetadataKey}' entry '{item.Name}' must be a string (found {item.Value.ValueKind})");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Invalid(path, $"'{MetadataKey}' entry '{item.Name}' appears twice");
        }
    }

    private static SafeTensorEntry ReadEntry(string name, JsonElement value, string path, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw InvalidTensor(path, name, $"entry must be an object (found {value.ValueKind})");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw InvalidTensor(path, name, "missing string field 'dtype'");
        string dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorDTypes.TryParse(dtypeName, out var dtype, out var dtypeProblem))
            throw InvalidTensor(path, name, dtypeProblem);

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw InvalidTensor(path, name, "missing array field 'shape'");
        var shape = new List<long>();
        long elementCount = 1;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d))
                throw InvalidTensor(path, name, $"shape entry {dim.GetRawText()} is not an integer");
            if (d < 0)
                throw InvalidTensor(path, name, $"shape has a negative dimension ({d})");
            try { elementCount = checked(elementCount * d); }
            catch (OverflowException) { throw InvalidTensor(path, name, $"shape [{string.Join(", ", shape.Append(d))}...] overflows the element count"); }
            shape.Add(d);
        }
        long byteCount;
        try { byteCount = checked(elementCount * dtype.ElementSize()); }
        catch (OverflowException) { throw InvalidTensor(path, name, $"shape [{string.Join(", ", shape)}] of {dtypeName} overflows the byte count"); }

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
            throw InvalidTensor(path, name, "missing array field 'data_offsets'");
        var offsets = new List<long>();
        foreach (var o in offsetsElement.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0)
                throw InvalidTensor(path, name, $"data_offsets entry {o.GetRawText()} is not a non-negative integer");
            offsets.Add(v);
        }
        if (offsets.Count != 2)
            throw InvalidTensor(path, name, $"data_offsets must hold exactly two numbers [begin, end] (found {offsets.Count})");
        long begin = offsets[0], end = offsets[1];
        if (end < begin)
            throw InvalidTensor(path, name, $"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw InvalidTensor(path, name, $"data_offsets [{begin}, {end}] run past the end of the data section ({dataLength} bytes; file truncated?)");
        if (end - begin != byteCount)
            throw InvalidTensor(path, name,
                $"data_offsets [{begin}, {end}] hold {end - begin} bytes but {dtypeName} x shape [{string.Join(", ", shape)}] needs {byteCount} (shape/offset mismatch)");

        return new SafeTensorEntry(name, dtype, shape, begin, end);
    }

    private static long CheckLayout(List<SafeTensorEntry> entries, string path, long dataLength)
    {
        long expected = 0;
        SafeTensorEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin < expected)
                throw InvalidTensor(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}] (overlapping offsets)");
            if (entry.Begin - expected > MaxAlignmentPadding)
                throw InvalidTensor(path, entry.Name,
                    $"data_offsets begin at {entry.Begin}, leaving {entry.Begin - expected} unused bytes after {(previous is null ? "the header" : $"tensor '{previous.Name}'")} (gap in the data section)");
            expected = entry.End;
            previous = entry;
        }
        if (dataLength - expected > MaxAlignmentPadding)
            throw Invalid(path, $"{dataLength - expected} bytes of trailing data after the last tensor (only {MaxAlignmentPadding} bytes of alignment padding are allowed)");
        return expected;
    }

    private static void CheckTrailingPadding(Stream stream, string path, long dataOffset, long lastEnd, long dataLength)
    {
        int padding = (int)(dataLength - lastEnd);
        if (padding == 0) return;
        stream.Position = dataOffset + lastEnd;
        Span<byte> tail = stackalloc byte[MaxAlignmentPadding];
        stream.ReadExactly(tail[..padding]);
        foreach (var b in tail[..padding])
            if (b != 0 && b != (byte)' ')
                throw Invalid(path, $"trailing data after the last tensor is not padding (byte 0x{b:x2})");
    }

    private static InvalidDataException Invalid(string path, string problem) =>
        new($"safetensors file '{path}' is invalid: {problem}.");

    private static InvalidDataException InvalidTensor(string path, string name, string problem) =>
        new($"safetensors file '{path}' is invalid: tensor '{name}': {problem}.");
}
