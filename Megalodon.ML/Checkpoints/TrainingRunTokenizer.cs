using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// The tokenizer description a training run keeps once beside its step folders (<c>tokenizer.json</c> in the run
/// folder, not in each step), so that a step folder read on its own (export, import, LoadCheckpoint) still finds
/// its tokenizer.
/// </summary>
public static class TrainingRunTokenizer
{
    /// <summary>The run folder's tokenizer description: <see cref="TokenizerSpec"/> JSON, or <see cref="Undescribed"/>.</summary>
    public const string FileName = "tokenizer.json";

    /// <summary>Written when the tokenizer cannot be described; a reader then needs the tokenizer from elsewhere.</summary>
    public const string Undescribed = "{}";

    /// <summary>Writes <paramref name="tokenizer"/>'s description into the run folder <paramref name="runFolder"/> (which must exist).</summary>
    public static void Write(string runFolder, ModelTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        File.WriteAllText(Path.Combine(runFolder, FileName), tokenizer.CanSave ? tokenizer.ToSpec().ToJson() : Undescribed);
    }

    /// <summary>The tokenizer the run folder describes, or null when it has no description or could not write one.</summary>
    public static ModelTokenizer? Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        var json = File.ReadAllText(path).Trim();
        return json == Undescribed ? null : ModelTokenizer.FromSpec(TokenizerSpec.FromJson(json));
    }

    /// <summary>
    /// For a training step folder (it holds <c>trainer_state.json</c>), the spec its run folder describes; otherwise,
    /// or when the run describes none, null.
    /// </summary>
    public static TokenizerSpec? SpecForStepFolder(string stepFolder)
    {
        if (!File.Exists(Path.Combine(stepFolder, CheckpointFileNames.TrainerState))) return null;
        var run = Directory.GetParent(Path.GetFullPath(stepFolder).TrimEnd(Path.DirectorySeparatorChar))?.FullName;
        if (run is null) return null;
        var path = Path.Combine(run, FileName);
        if (!File.Exists(path)) return null;
        var json = File.ReadAllText(path).Trim();
        return json == Undescribed ? null : TokenizerSpec.FromJson(json);
    }
}
