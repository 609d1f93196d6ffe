using System.Text.Json;
using Megalodon.ML.Model;

namespace Megalodon.ML.Parity;

/// <summary>
/// One golden case folder: <c>config.json</c> (the reference's <c>ModelConf</c> fields plus <c>batch</c>,
/// <c>seq_len</c> and <c>incremental_segments</c>), <c>weights.safetensors</c> and <c>io.safetensors</c>.
/// </summary>
public sealed record GoldenCase
{
    /// <summary>The config file name.</summary>
    public const string ConfigFileName = "config.json";
    /// <summary>The weights file name.</summary>
    public const string WeightsFileName = "weights.safetensors";
    /// <summary>The inputs/outputs file name.</summary>
    public const string IoFileName = "io.safetensors";

    /// <summary>The case folder (full path).</summary>
    public required string Folder { get; init; }
    /// <summary>The folder's name, used as the case name.</summary>
    public string Name => Path.GetFileName(Folder);
    /// <summary>The model config (fields the model does not know are ignored).</summary>
    public required MegalodonConfig Config { get; init; }
    /// <summary>The batch size B recorded in the config, if any.</summary>
    public int? Batch { get; init; }
    /// <summary>The sequence length L recorded in the config, if any.</summary>
    public int? SeqLen { get; init; }
    /// <summary>The call lengths used for <c>logits_incremental</c>, in order; null when the case has none.</summary>
    public IReadOnlyList<int>? IncrementalSegments { get; init; }

    /// <summary>Path of <c>config.json</c>.</summary>
    public string ConfigPath => Path.Combine(Folder, ConfigFileName);
    /// <summary>Path of <c>weights.safetensors</c>.</summary>
    public string WeightsPath => Path.Combine(Folder, WeightsFileName);
    /// <summary>Path of <c>io.safetensors</c>.</summary>
    public string IoPath => Path.Combine(Folder, IoFileName);

    /// <summary>Whether <paramref name="folder"/> holds the three files of a case.</summary>
    public static bool IsCaseFolder(string folder) =>
        File.Exists(Path.Combine(folder, ConfigFileName))
        && File.Exists(Path.Combine(folder, WeightsFileName))
        && File.Exists(Path.Combine(folder, IoFileName));

    /// <summary>Reads a case folder's config.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder is not a case folder.</exception>
    /// <exception cref="FormatException">The config is not a valid Megalodon config.</exception>
    public static GoldenCase Load(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!IsCaseFolder(full))
            throw new DirectoryNotFoundException($"'{full}' is not a golden case folder (needs {ConfigFileName}, {WeightsFileName} and {IoFileName}).");
        var json = File.ReadAllText(Path.Combine(full, ConfigFileName));
        var config = MegalodonConfig.FromJson(json);
        int? batch = null, seqLen = null;
        List<int>? segments = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.TryGetProperty("batch", out var b) && b.ValueKind == JsonValueKind.Number) batch = b.GetInt32();
            if (root.TryGetProperty("seq_len", out var l) && l.ValueKind == JsonValueKind.Number) seqLen = l.GetInt32();
            if (root.TryGetProperty("incremental_segments", out var s) && s.ValueKind == JsonValueKind.Array)
                segments = [.. s.EnumerateArray().Select(e => e.GetInt32())];
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new FormatException($"'{Path.Combine(full, ConfigFileName)}': batch, seq_len and incremental_segments must be integers ({ex.Message}).", ex);
        }
        return new GoldenCase { Folder = full, Config = config, Batch = batch, SeqLen = seqLen, IncrementalSegments = segments };
    }

    /// <summary>
    /// Every case folder at or below <paramref name="root"/>, sorted by path: <paramref name="root"/> itself when it is
    /// a case, otherwise its sub-folders (symbolic links included) to a depth of <paramref name="maxDepth"/>.
    /// </summary>
    public static IReadOnlyList<string> FindCaseFolders(string root, int maxDepth = 6)
    {
        var found = new List<string>();
        void Walk(string folder, int depth)
        {
            if (IsCaseFolder(folder)) { found.Add(Path.GetFullPath(folder)); return; }
            if (depth >= maxDepth) return;   // also stops symbolic-link cycles
            foreach (var sub in Directory.GetDirectories(folder)) Walk(sub, depth + 1);
        }
        Walk(root, 0);
        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
