using TorchSharp;
using System.Text;
using Megalodon.ML.Checkpoints;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// The default checkpoint store: one folder per step under a root (<c>step-000100/</c>) holding
/// <c>model.safetensors</c>, <c>optimizer.safetensors</c>, <c>trainer_state.json</c> and <c>checksums.json</c>
/// (SHA-256 of the other three, verified on load).
/// </summary>
/// <remarks>
/// A checkpoint is written into a hidden temporary folder under the root and renamed into place only when complete,
/// so a killed process leaves either the whole checkpoint or none (plus a temporary folder that
/// <see cref="RemoveTemporaryFolders"/> clears).
/// </remarks>
public sealed class FolderCheckpointStore : ITrainingCheckpointStore
{
    /// <summary>The model tensor file.</summary>
    public const string ModelFile = "model.safetensors";

    /// <summary>The optimizer tensor file.</summary>
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>The trainer state file.</summary>
    public const string StateFile = "trainer_state.json";

    /// <summary>The checksum file.</summary>
    public const string ChecksumFile = "checksums.json";

    private const string FolderPrefix = "step-";
    private const string TempPrefix = ".tmp-";
    private static readonly string[] DataFiles = { ModelFile, OptimizerFile, StateFile };

    /// <summary>Creates a store over <paramref name="root"/> (created on the first save).</summary>
    /// <param name="root">The folder holding the step folders.</param>
    public FolderCheckpointStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The folder holding the step folders.</summary>
    public string Root { get; }

    /// <summary>The folder of <paramref name="step"/>'s checkpoint.</summary>
    /// <param name="step">The step.</param>
    public string FolderOf(long step) => Path.Combine(Root, FolderPrefix + step.ToString("D6", CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public void Save(TrainingCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Directory.CreateDirectory(Root);
        var final = FolderOf(checkpoint.Step);
        var temp = Path.Combine(Root, TempPrefix + Path.GetFileName(final) + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            WriteTensors(Path.Combine(temp, ModelFile), checkpoint.Model);
            WriteTensors(Path.Combine(temp, OptimizerFile), checkpoint.Optimizer);
            WriteText(Path.Combine(temp, StateFile), checkpoint.State.ToJson());
            var sums = DataFiles.ToDictionary(f => f, f => Sha256(Path.Combine(temp, f)), StringComparer.Ordinal);
            WriteText(Path.Combine(temp, ChecksumFile),
                JsonSerializer.Serialize(new ChecksumManifest("sha256", sums), new JsonSerializerOptions { WriteIndented = true }));

            if (Directory.Exists(final))
            {
                // Replacing: move the old one aside first so there is never a half-replaced folder under the final name.
                var old = Path.Combine(Root, TempPrefix + "old-" + Guid.NewGuid().ToString("N"));
                Directory.Move(final, old);
                Directory.Move(temp, final);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temp, final);
            }
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<long> ListSteps()
    {
        if (!Directory.Exists(Root))
            return Array.Empty<long>();
        var steps = new List<long>();
        foreach (var dir in Directory.EnumerateDirectories(Root, FolderPrefix + "*"))
        {
            var name = Path.GetFileName(dir);
            if (long.TryParse(name.AsSpan(FolderPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var step)
                && File.Exists(Path.Combine(dir, ChecksumFile)))
                steps.Add(step);
        }
        steps.Sort();
        return steps;
    }

    /// <inheritdoc/>
    public TrainingCheckpoint Load(long step)
    {
        var folder = FolderOf(step);
        Verify(step);
        Dictionary<string, Tensor>? model = null, optimizer = null;
        try
        {
            var state = TrainerState.FromJson(File.ReadAllText(Path.Combine(folder, StateFile), Utf8));
            if (state.Step != step)
                throw new TrainingCheckpointException(step, folder, $"its state says step {state.Step}.");
            model = SafeTensors.Load(Path.Combine(folder, ModelFile));
            optimizer = SafeTensors.Load(Path.Combine(folder, OptimizerFile));
            return new TrainingCheckpoint(state, model, optimizer);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or JsonException)
        {
            Dispose(model);
            Dispose(optimizer);
            throw new TrainingCheckpointException(step, folder, ex.Message, ex);
        }
    }

    /// <summary>Checks that every file of <paramref name="step"/>'s checkpoint is present and matches its SHA-256.</summary>
    /// <param name="step">The step.</param>
    /// <exception cref="TrainingCheckpointException">A file is missing or differs.</exception>
    public void Verify(long step)
    {
        var folder = FolderOf(step);
        if (!Directory.Exists(folder))
            throw new TrainingCheckpointException(step, folder, "the folder does not exist.");
        var manifestPath = Path.Combine(folder, ChecksumFile);
        if (!File.Exists(manifestPath))
            throw new TrainingCheckpointException(step, folder, $"'{ChecksumFile}' is missing, so the checkpoint is incomplete.");
        ChecksumManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ChecksumManifest>(File.ReadAllText(manifestPath, Utf8));
        }
        catch (JsonException ex)
        {
            throw new TrainingCheckpointException(step, folder, $"'{ChecksumFile}' is not valid JSON.", ex);
        }
        if (manifest?.Files is null || manifest.Algorithm != "sha256")
            throw new TrainingCheckpointException(step, folder, $"'{ChecksumFile}' does not list SHA-256 checksums.");
        foreach (var file in DataFiles)
        {
            var path = Path.Combine(folder, file);
            if (!manifest.Files.TryGetValue(file, out var expected))
                throw new TrainingCheckpointException(step, folder, $"'{ChecksumFile}' has no checksum for '{file}'.");
            if (!File.Exists(path))
                throw new TrainingCheckpointException(step, folder, $"'{file}' is missing.");
            var actual = Sha256(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new TrainingCheckpointException(step, folder,
                    $"'{file}' is corrupt: its SHA-256 is {actual}, the checksum file says {expected}.");
        }
    }

    /// <inheritdoc/>
    public void Delete(long step)
    {
        var folder = FolderOf(step);
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>Deletes temporary folders left by interrupted saves. Do not call while another process saves here.</summary>
    public void RemoveTemporaryFolders()
    {
        if (!Directory.Exists(Root)) return;
        foreach (var dir in Directory.EnumerateDirectories(Root, TempPrefix + "*"))
            Directory.Delete(dir, recursive: true);
    }

    private static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes tensors from any device as safetensors (the same validated format as model checkpoints).</summary>
    private static void WriteTensors(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var scope = torch.NewDisposeScope();
        SafeTensors.Save(path, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous()));
    }

    private static void WriteText(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var bytes = Utf8.GetBytes(text);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    private static void Dispose(Dictionary<string, Tensor>? tensors)
    {
        if (tensors is null) return;
        foreach (var t in tensors.Values) t.Dispose();
    }

    private sealed record ChecksumManifest(
        [property: System.Text.Json.Serialization.JsonPropertyName("algorithm")] string Algorithm,
        [property: System.Text.Json.Serialization.JsonPropertyName("files")] Dictionary<string, string> Files);
}
