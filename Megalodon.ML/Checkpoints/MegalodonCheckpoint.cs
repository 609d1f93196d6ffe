using System.Text.Json;
using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// A Megalodon checkpoint folder: <c>config.json</c> (reference field names), <c>model.safetensors</c> (the reference
/// state dict), optional extra tensor files and text files (optimizer state, <c>trainer_state.json</c>), and
/// <c>checksums.json</c> holding the SHA-256 of every other file, written last.
/// </summary>
/// <remarks>
/// <see cref="Save"/> fills <c>&lt;dir&gt;.tmp-&lt;pid&gt;</c> and renames it to <c>&lt;dir&gt;</c> only when complete,
/// so a crash never leaves a half-written checkpoint under the final name. Loads verify the checksums of the files
/// they read. The golden-fixture layout (<c>config.json</c> + <c>weights.safetensors</c>, no checksums) is read by
/// <see cref="LoadReference"/>.
/// </remarks>
public static class MegalodonCheckpoint
{
    /// <summary>Saves the model (config and weights), plus whatever <paramref name="addExtras"/> writes, as one unit.</summary>
    /// <param name="dir">The checkpoint folder; an existing checkpoint there is replaced only once the new one is complete.</param>
    /// <param name="model">The model to save.</param>
    /// <param name="addExtras">Optional callback adding files (optimizer tensors, trainer state) to the same save.</param>
    public static void Save(string dir, MegalodonModel model, Action<CheckpointWriter>? addExtras = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        SaveFolder(dir, writer =>
        {
            writer.WriteText(CheckpointFileNames.Config, model.Config.ToJson());
            var state = model.ReferenceStateDict();
            try
            {
                SafeTensors.Save(Path.Combine(writer.Folder, CheckpointFileNames.Model), state,
                    new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "Megalodon.ML" });
            }
            finally
            {
                foreach (var t in state.Values) t.Dispose();
            }
            addExtras?.Invoke(writer);
        });
    }

    /// <summary>Loads a checkpoint written by <see cref="Save"/>, verifying the checksums of the config and the weights.</summary>
    /// <param name="dir">The checkpoint folder.</param>
    /// <param name="device">Where the model should live; null for the CPU.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A checksum does not match, a file is missing, or a file is malformed.</exception>
    public static MegalodonModel Load(string dir, Device? device = null)
    {
        var folder = ExistingFolder(dir);
        var checksums = CheckpointChecksums.Read(folder);
        checksums.Verify(folder, CheckpointFileNames.Config);
        checksums.Verify(folder, CheckpointFileNames.Model);
        return Build(folder, CheckpointFileNames.Model, device);
    }

    /// <summary>Reads and verifies only the config of a checkpoint.</summary>
    public static MegalodonConfig LoadConfig(string dir)
    {
        var folder = ExistingFolder(dir);
        CheckpointChecksums.Read(folder).Verify(folder, CheckpointFileNames.Config);
        return MegalodonConfig.Load(Path.Combine(folder, CheckpointFileNames.Config));
    }

    /// <summary>
    /// Loads the golden-fixture layout: <c>config.json</c> (extra fields ignored) and <c>weights.safetensors</c>,
    /// with no checksums.
    /// </summary>
    /// <param name="dir">The folder holding the two files.</param>
    /// <param name="device">Where the model should live; null for the CPU.</param>
    public static MegalodonModel LoadReference(string dir, Device? device = null) =>
        Build(ExistingFolder(dir), CheckpointFileNames.ReferenceWeights, device);

    /// <summary>Checks every file listed in <c>checksums.json</c>.</summary>
    /// <exception cref="InvalidDataException">A file is missing or its checksum differs.</exception>
    public static void Verify(string dir)
    {
        var folder = ExistingFolder(dir);
        CheckpointChecksums.Read(folder).VerifyAll(folder);
    }

    /// <summary>Whether <paramref name="dir"/> looks like a checkpoint written by <see cref="Save"/>.</summary>
    public static bool IsCheckpoint(string dir) =>
        File.Exists(Path.Combine(dir, CheckpointChecksums.FileName)) && File.Exists(Path.Combine(dir, CheckpointFileNames.Model));

    /// <summary>
    /// Adds (or replaces) <c>&lt;name&gt;.safetensors</c> in an existing checkpoint and records its checksum.
    /// Each file write is atomic; to save extras together with the model in one unit, use the callback of <see cref="Save"/>.
    /// </summary>
    /// <param name="dir">An existing checkpoint folder.</param>
    /// <param name="name">A plain name such as <c>optimizer</c>.</param>
    /// <param name="tensors">Name → tensor.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    public static void SaveTensors(string dir, string name, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var folder = ExistingFolder(dir);
        var checksums = CheckpointChecksums.Read(folder);
        var fileName = new CheckpointWriter(folder).WriteTensors(name, tensors, metadata);
        checksums.Update(folder, fileName);
        checksums.Write(folder);
    }

    /// <summary>Loads <c>&lt;name&gt;.safetensors</c> from a checkpoint after verifying its checksum.</summary>
    /// <param name="dir">The checkpoint folder.</param>
    /// <param name="name">The name given when saving (with or without the extension).</param>
    /// <param name="device">Where the tensors should live; null for the CPU.</param>
    public static Dictionary<string, Tensor> LoadTensors(string dir, string name, Device? device = null)
    {
        var folder = ExistingFolder(dir);
        var fileName = CheckpointFileNames.ForTensors(name);
        CheckpointChecksums.Read(folder).Verify(folder, fileName);
        return SafeTensors.Load(Path.Combine(folder, fileName), device);
    }

    /// <summary>Adds (or replaces) a text file in an existing checkpoint and records its checksum.</summary>
    /// <param name="dir">An existing checkpoint folder.</param>
    /// <param name="fileName">A plain file name such as <c>trainer_state.json</c>.</param>
    /// <param name="content">The text (stored as UTF-8).</param>
    public static void SaveText(string dir, string fileName, string content)
    {
        var folder = ExistingFolder(dir);
        var checksums = CheckpointChecksums.Read(folder);
        new CheckpointWriter(folder).WriteText(fileName, content);
        checksums.Update(folder, fileName);
        checksums.Write(folder);
    }

    /// <summary>Reads a text file of a checkpoint after verifying its checksum.</summary>
    /// <exception cref="InvalidDataException">The file is missing, unlisted or corrupt.</exception>
    public static string LoadText(string dir, string fileName)
    {
        var folder = ExistingFolder(dir);
        CheckpointFileNames.Check(fileName);
        CheckpointChecksums.Read(folder).Verify(folder, fileName);
        return File.ReadAllText(Path.Combine(folder, fileName));
    }

    /// <summary>Whether a checkpoint lists <paramref name="fileName"/> in its checksums (tensor files carry the <c>.safetensors</c> extension).</summary>
    public static bool HasFile(string dir, string fileName) =>
        CheckpointChecksums.Read(ExistingFolder(dir)).Files.ContainsKey(fileName);

    /// <summary>Stores <c>trainer_state.json</c> in an existing checkpoint; the text must be a JSON value.</summary>
    /// <exception cref="ArgumentException">The text is not valid JSON.</exception>
    public static void SaveTrainerState(string dir, string json)
    {
        CheckJson(json);
        SaveText(dir, CheckpointFileNames.TrainerState, json);
    }

    /// <summary>Reads <c>trainer_state.json</c>, or null when the checkpoint has none.</summary>
    public static string? LoadTrainerState(string dir) =>
        HasFile(dir, CheckpointFileNames.TrainerState) ? LoadText(dir, CheckpointFileNames.TrainerState) : null;

    /// <summary>Checks that <paramref name="json"/> parses (used before storing trainer state).</summary>
    /// <exception cref="ArgumentException">The text is not valid JSON.</exception>
    public static void CheckJson(string json)
    {
        try { using var _ = JsonDocument.Parse(json); }
        catch (JsonException ex) { throw new ArgumentException($"Trainer state is not valid JSON: {ex.Message}", nameof(json), ex); }
    }

    /// <summary>
    /// Writes a whole checkpoint folder through <paramref name="fill"/> into <c>&lt;dir&gt;.tmp-&lt;pid&gt;</c>,
    /// adds <c>checksums.json</c> last, then swaps it into place. Used by <see cref="Save"/>; public so that other
    /// savers (a trainer saving several models, for instance) get the same guarantees.
    /// </summary>
    /// <param name="dir">The final folder.</param>
    /// <param name="fill">Writes every file through the writer.</param>
    public static void SaveFolder(string dir, Action<CheckpointWriter> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var final = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        var parent = Path.GetDirectoryName(final) ?? throw new ArgumentException($"'{dir}' cannot be a checkpoint folder.", nameof(dir));
        Directory.CreateDirectory(parent);
        var temp = $"{final}.tmp-{Environment.ProcessId}";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);   // left by an earlier crash of this process id
        Directory.CreateDirectory(temp);
        try
        {
            fill(new CheckpointWriter(temp));
            CheckpointChecksums.Compute(temp).Write(temp);
            SwapIntoPlace(temp, final);
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }
    }

    private static void SwapIntoPlace(string temp, string final)
    {
        if (!Directory.Exists(final))
        {
            Directory.Move(temp, final);
            return;
        }
        // A folder cannot be renamed over a non-empty one: move the old one aside, move the new one in, then drop the old.
        var old = $"{final}.old-{Environment.ProcessId}";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        Directory.Move(final, old);
        try
        {
            Directory.Move(temp, final);
        }
        catch
        {
            Directory.Move(old, final);   // put the previous checkpoint back
            throw;
        }
        TryDeleteFolder(old);
    }

    private static MegalodonModel Build(string folder, string weightsFile, Device? device)
    {
        var config = MegalodonConfig.Load(Path.Combine(folder, CheckpointFileNames.Config));
        var weightsPath = Path.Combine(folder, weightsFile);
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"checkpoint '{folder}' has no {weightsFile}.", weightsPath);
        var model = new MegalodonModel(config, device);
        try
        {
            var weights = SafeTensors.Load(weightsPath);
            try { model.LoadReferenceStateDict(weights); }
            finally { foreach (var t in weights.Values) t.Dispose(); }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static string ExistingFolder(string dir)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        if (!Directory.Exists(folder))
        {
            var aside = $"{folder}.old-";
            var hint = Directory.Exists(Path.GetDirectoryName(folder)) &&
                       Directory.EnumerateDirectories(Path.GetDirectoryName(folder)!, Path.GetFileName(folder) + ".old-*").Any()
                ? $" A previous save was interrupted while swapping folders; the last complete checkpoint is in '{aside}<pid>'."
                : "";
            throw new DirectoryNotFoundException($"checkpoint folder '{folder}' does not exist.{hint}");
        }
        return folder;
    }

    private static void TryDeleteFolder(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
