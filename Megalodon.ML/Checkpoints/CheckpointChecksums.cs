using Megalodon.ML.IO;
using System.Security.Cryptography;
using System.Text.Json;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// The <c>checksums.json</c> of a checkpoint folder: the SHA-256 of every other file, so that a flipped bit or a
/// half-copied file is caught at load time instead of surfacing as strange numbers.
/// </summary>
public sealed class CheckpointChecksums
{
    /// <summary>File name inside the checkpoint folder.</summary>
    public const string FileName = "checksums.json";

    /// <summary>The algorithm name written. Reading also accepts "sha256" (written by training checkpoints before they shared this format) and any letter case.</summary>
    public const string Algorithm = "SHA-256";

    /// <summary>Whether a stored algorithm name means SHA-256 ("SHA-256", "sha256", "Sha-256", ...).</summary>
    public static bool IsSha256(string? name) =>
        name is not null && string.Equals(name.Replace("-", "", StringComparison.Ordinal), "sha256", StringComparison.OrdinalIgnoreCase);

    private readonly SortedDictionary<string, string> _files;

    private CheckpointChecksums(SortedDictionary<string, string> files) => _files = files;

    /// <summary>File name → lowercase hexadecimal SHA-256.</summary>
    public IReadOnlyDictionary<string, string> Files => _files;

    /// <summary>An empty set.</summary>
    public static CheckpointChecksums Empty() => new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Hashes every file directly in <paramref name="folder"/> except <c>checksums.json</c> itself.</summary>
    public static CheckpointChecksums Compute(string folder)
    {
        var set = Empty();
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(path);
            if (name != FileName) set._files[name] = Hash(path);
        }
        return set;
    }

    /// <summary>The lowercase hexadecimal SHA-256 of a file, streamed.</summary>
    public static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Records (or replaces) one file's hash, reading the file in <paramref name="folder"/>.</summary>
    public void Update(string folder, string fileName) => _files[fileName] = Hash(Path.Combine(folder, fileName));

    /// <summary>Reads <c>checksums.json</c> from a checkpoint folder.</summary>
    /// <exception cref="InvalidDataException">The file is missing or malformed.</exception>
    public static CheckpointChecksums Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            throw new InvalidDataException($"checkpoint '{folder}' is incomplete or not a Megalodon checkpoint: {FileName} is missing.");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("algorithm", out var algorithm) || algorithm.ValueKind != JsonValueKind.String
                || !IsSha256(algorithm.GetString())
                || !root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"checkpoint '{folder}' is corrupt: {FileName} must be {{\"algorithm\": \"{Algorithm}\", \"files\": {{...}}}}.");
            var set = Empty();
            foreach (var file in files.EnumerateObject())
            {
                var hash = file.Value.ValueKind == JsonValueKind.String ? file.Value.GetString()!.ToLowerInvariant() : "";
                if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
                    throw new InvalidDataException($"checkpoint '{folder}' is corrupt: {FileName} holds a malformed hash for {file.Name}.");
                set._files[file.Name] = hash;
            }
            return set;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"checkpoint '{folder}' is corrupt: {FileName} is not valid JSON ({ex.Message}).", ex);
        }
    }

    /// <summary>Writes <c>checksums.json</c> into <paramref name="folder"/> atomically.</summary>
    public void Write(string folder)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("algorithm", Algorithm);
            json.WriteStartObject("files");
            foreach (var (name, hash) in _files) json.WriteString(name, hash);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        var bytes = buffer.ToArray();
        AtomicFile.Write(Path.Combine(folder, FileName), stream => stream.Write(bytes));
    }

    /// <summary>Checks one file of <paramref name="folder"/> against its recorded hash.</summary>
    /// <exception cref="InvalidDataException">The file is missing, unlisted, or its hash differs.</exception>
    public void Verify(string folder, string fileName)
    {
        var path = Path.Combine(folder, fileName);
        if (!_files.TryGetValue(fileName, out var expected))
            throw new InvalidDataException($"checkpoint '{folder}' is corrupt: {fileName} has no entry in {FileName}.");
        if (!File.Exists(path))
            throw new InvalidDataException($"checkpoint '{folder}' is corrupt: {fileName} is listed in {FileName} but missing.");
        var actual = Hash(path);
        if (actual != expected)
            throw new InvalidDataException($"checkpoint '{folder}' is corrupt: {fileName} checksum mismatch (expected SHA-256 {expected}, found {actual}).");
    }

    /// <summary>Checks every listed file.</summary>
    /// <exception cref="InvalidDataException">A file is missing or its hash differs.</exception>
    public void VerifyAll(string folder)
    {
        foreach (var name in _files.Keys) Verify(folder, name);
    }
}
