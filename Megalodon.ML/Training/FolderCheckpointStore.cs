using TorchSharp;
using System.Text;
using Megalodon.ML.Checkpoints;
using System.Globalization;
using System.Text.Json;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// The default checkpoint store: one folder per step under a root (<c>step-000100/</c>) in the layout of
/// <see cref="MegalodonCheckpoint"/>: <c>config.json</c> (Megalodon models), <c>model.safetensors</c> (the reference
/// state dict, tied output included), <c>optimizer.safetensors</c>, <c>trainer_state.json</c> and <c>checksums.json</c>
/// (SHA-256 of the others, verified on load). A step folder therefore loads with <see cref="MegalodonCheckpoint.Load"/>,
/// exports to the reference, and loads in the reference's strict <c>load_state_dict</c>.
/// </summary>
/// <remarks>
/// A checkpoint is written into a temporary folder beside its final name and renamed into place only when complete
/// (<see cref="MegalodonCheckpoint.SaveFolder(string, Action{CheckpointWriter})"/>), so a killed process leaves either
/// the whole checkpoint or none (plus a temporary folder that <see cref="RemoveTemporaryFolders"/> clears). Step
/// folders written before this layout (checksums labelled "sha256", no config.json) still load.
/// </remarks>
public sealed class FolderCheckpointStore : ITrainingCheckpointStore
{
    /// <summary>The model tensor file.</summary>
    public const string ModelFile = CheckpointFileNames.Model;

    /// <summary>The optimizer tensor file.</summary>
    public const string OptimizerFile = CheckpointFileNames.Optimizer;

    /// <summary>The trainer state file.</summary>
    public const string StateFile = CheckpointFileNames.TrainerState;

    /// <summary>The checksum file.</summary>
    public const string ChecksumFile = CheckpointChecksums.FileName;

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
        MegalodonCheckpoint.SaveFolder(FolderOf(checkpoint.Step), writer =>
        {
            if (checkpoint.ConfigJson is { } config) writer.WriteText(CheckpointFileNames.Config, config);
            WriteTensors(Path.Combine(writer.Folder, ModelFile), checkpoint.Model, MegalodonCheckpoint.ProducerMetadata);
            WriteTensors(Path.Combine(writer.Folder, OptimizerFile), checkpoint.Optimizer, null);
            writer.WriteText(StateFile, checkpoint.State.ToJson());
        });
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
        if (!File.Exists(Path.Combine(folder, ChecksumFile)))
            throw new TrainingCheckpointException(step, folder, $"'{ChecksumFile}' is missing, so the checkpoint is incomplete.");
        try
        {
            var checksums = CheckpointChecksums.Read(folder);
            foreach (var file in DataFiles) checksums.Verify(folder, file);
            if (checksums.Files.ContainsKey(CheckpointFileNames.Config)) checksums.Verify(folder, CheckpointFileNames.Config);
        }
        catch (InvalidDataException ex)
        {
            throw new TrainingCheckpointException(step, folder, ex.Message, ex);
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
        // ".tmp-*": folders of saves before step folders shared MegalodonCheckpoint's writer; "step-*.tmp-*"/".old-*": its own.
        foreach (var pattern in new[] { TempPrefix + "*", FolderPrefix + "*.tmp-*", FolderPrefix + "*.old-*" })
            foreach (var dir in Directory.EnumerateDirectories(Root, pattern))
                Directory.Delete(dir, recursive: true);
    }

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes tensors from any device as safetensors (each is copied to the CPU on its own while it is written).</summary>
    private static void WriteTensors(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata) =>
        SafeTensors.Save(path, tensors, metadata);

    private static void Dispose(Dictionary<string, Tensor>? tensors)
    {
        if (tensors is null) return;
        foreach (var t in tensors.Values) t.Dispose();
    }
}
