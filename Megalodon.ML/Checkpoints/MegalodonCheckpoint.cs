using System.Text.Json;
using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// A Megalodon checkpoint folder: <c>config.json</c> (reference field names), <c>model.safetensors</c> (the reference
/// state dict, with <c>output.output.weight</c> for tied embeddings, as the reference's strict load needs), optional
/// extra tensor files and text files (optimizer state, <c>trainer_state.json</c>), and <c>checksums.json</c> holding
/// the SHA-256 of every other file, written last. Training checkpoints (<c>step-NNNNNN</c> folders of
/// <see cref="Training.FolderCheckpointStore"/>) have this layout too.
/// </summary>
/// <remarks>
/// <see cref="Save"/> fills <c>&lt;dir&gt;.tmp-&lt;pid&gt;</c> and renames it to <c>&lt;dir&gt;</c> only when complete,
/// so a crash never leaves a half-written checkpoint under the final name. <see cref="Load"/> reads every layout:
/// with <c>checksums.json</c> it verifies the files it reads; without, it reads the reference layouts (see
/// <see cref="LoadReference"/>).
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
            WriteWeights(Path.Combine(writer.Folder, CheckpointFileNames.Model), model);
            addExtras?.Invoke(writer);
        });
    }

    /// <summary>The model's reference state dict as a safetensors file, streamed from the parameters (no copy of the weights).</summary>
    internal static void WriteWeights(string path, MegalodonModel model)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        SafeTensors.Save(path, model.ReferenceTensorViews(), ProducerMetadata);
    }

    /// <summary>The metadata written into every model.safetensors.</summary>
    internal static readonly IReadOnlyDictionary<string, string> ProducerMetadata =
        new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "Megalodon.ML" };

    /// <summary>
    /// Loads any checkpoint folder: one written by <see cref="Save"/> or by training (its checksums are verified),
    /// or a reference layout without checksums (see <see cref="LoadReference"/>).
    /// </summary>
    /// <param name="dir">The checkpoint folder.</param>
    /// <param name="device">Where the model should live; null for the CPU.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A checksum does not match, a file is missing, or a file is malformed.</exception>
    public static MegalodonModel Load(string dir, Device? device = null)
    {
        var folder = ExistingFolder(dir);
        if (!File.Exists(Path.Combine(folder, CheckpointChecksums.FileName)))
            return LoadReference(folder, device);
        var checksums = CheckpointChecksums.Read(folder);
        checksums.Verify(folder, CheckpointFileNames.Config);
        checksums.Verify(folder, CheckpointFileNames.Model);
        return Build(MegalodonConfig.Load(Path.Combine(folder, CheckpointFileNames.Config)), Path.Combine(folder, CheckpointFileNames.Model), device);
    }

    /// <summary>Reads and verifies only the config of a checkpoint.</summary>
    public static MegalodonConfig LoadConfig(string dir)
    {
        var folder = ExistingFolder(dir);
        CheckpointChecksums.Read(folder).Verify(folder, CheckpointFileNames.Config);
        return MegalodonConfig.Load(Path.Combine(folder, CheckpointFileNames.Config));
    }

    /// <summary>
    /// Loads a folder without checksums: <c>config.json</c> (flat or the reference trainer's nested layout; extra fields
    /// ignored) and the first weight file found of <c>model.safetensors</c>, <c>weights.safetensors</c> (the golden
    /// fixtures) and <c>consolidated.pth</c> (the reference's consolidated checkpoint, a PyTorch zip pickle read
    /// through TorchSharp.PyBridge). A config that leaves <c>vocab_size</c> at -1 takes the size of the folder's
    /// <c>tokenizer.model</c>, as the reference's loader does.
    /// </summary>
    /// <param name="dir">The folder.</param>
    /// <param name="device">Where the model should live; null for the CPU.</param>
    /// <exception cref="FileNotFoundException">The config or every weight file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the weights do not fit the config.</exception>
    public static MegalodonModel LoadReference(string dir, Device? device = null)
    {
        var folder = ExistingFolder(dir);
        var config = ReferenceCheckpoint.ReadConfig(folder);
        return Build(config, ReferenceCheckpoint.FindWeights(folder), device);
    }

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
    public static void SaveFolder(string dir, Action<CheckpointWriter> fill) => SaveFolder(dir, fill, writeChecksums: true);

    /// <summary>As <see cref="SaveFolder(string, Action{CheckpointWriter})"/>; without checksums for layouts that carry none (the reference's).</summary>
    internal static void SaveFolder(string dir, Action<CheckpointWriter> fill, bool writeChecksums)
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
            if (writeChecksums) CheckpointChecksums.Compute(temp).Write(temp);
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

    /// <summary>Builds a model of <paramref name="config"/> and reads a weight file (safetensors or a PyTorch pickle) into it.</summary>
    internal static MegalodonModel Build(MegalodonConfig config, string weightsPath, Device? device)
    {
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"checkpoint weights '{weightsPath}' not found.", weightsPath);
        var model = new MegalodonModel(config, device);
        try
        {
            if (weightsPath.EndsWith(CheckpointFileNames.TensorExtension, StringComparison.Ordinal))
            {
                using var reader = SafeTensorsReader.Open(weightsPath);
                model.LoadReferenceWeights(reader);
            }
            else
            {
                var tensors = PyTorchStateDict.Read(weightsPath);
                try { model.LoadReferenceStateDict(tensors); }
                catch (ArgumentException ex) { throw new InvalidDataException($"'{weightsPath}': {ex.Message}", ex); }
                finally { foreach (var t in tensors.Values) t.Dispose(); }
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    internal static string ExistingFolderOf(string dir) => ExistingFolder(dir);

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
