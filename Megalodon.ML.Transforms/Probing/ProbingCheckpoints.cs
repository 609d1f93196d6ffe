using System.Globalization;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Pretraining;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>One network read from a pretraining checkpoint (or a fitted model), named for its output columns.</summary>
/// <param name="Name">The name used in column names and tables, e.g. <c>step-000100</c>.</param>
/// <param name="Step">The training step, or null when unknown (a fitted model).</param>
/// <param name="Model">The network, in eval mode.</param>
public sealed record ProbedNetwork(string Name, long? Step, MegalodonModel Model);

/// <summary>
/// Finds and loads the step checkpoints a pretraining run keeps (<c>&lt;run&gt;/step-NNNNNN/</c>, beside the run's
/// <c>config.json</c> and <c>tokenizer.json</c>), checking that they all describe the same network.
/// </summary>
public static class ProbingCheckpoints
{
    private const string StepPrefix = "step-";

    /// <summary>The step folders of a pretraining run, oldest first.</summary>
    /// <param name="runFolder">The run's checkpoint folder (the pretraining <c>CheckpointFolder</c>).</param>
    /// <exception cref="ArgumentException">The folder holds no checkpoint.</exception>
    public static IReadOnlyList<string> StepFolders(string runFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        var store = new FolderCheckpointStore(runFolder);
        var steps = store.ListSteps();
        if (steps.Count == 0) throw new ArgumentException($"The folder '{runFolder}' holds no step checkpoints.", nameof(runFolder));
        return steps.Select(store.FolderOf).ToList();
    }

    /// <summary>
    /// Loads step checkpoints (each a <c>step-NNNNNN</c> folder inside a pretraining run folder) and the tokenizer
    /// their run describes.
    /// </summary>
    /// <param name="stepFolders">The checkpoints, in the order wanted.</param>
    /// <param name="tokenizer">The tokenizer, needed when the run folder does not describe one; when both exist they must agree in vocabulary.</param>
    /// <exception cref="ArgumentException">No folders, a folder that is not a step checkpoint of a described run, or checkpoints of different configs.</exception>
    public static (IReadOnlyList<ProbedNetwork> Networks, ModelTokenizer Tokenizer) Load(IReadOnlyList<string> stepFolders, ModelTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(stepFolders);
        if (stepFolders.Count == 0) throw new ArgumentException("Give at least one checkpoint folder.", nameof(stepFolders));
        var networks = new List<ProbedNetwork>();
        string? firstConfig = null, firstFolder = null;
        ModelTokenizer? runTokenizer = null;
        try
        {
            foreach (var folder in stepFolders)
            {
                var (runFolder, step) = Parse(folder);
                var config = ReadConfig(folder);
                var json = config.ToJson();
                if (firstConfig is null) { firstConfig = json; firstFolder = folder; }
                else if (json != firstConfig)
                    throw new ArgumentException($"The checkpoint '{folder}' comes from a different config than '{firstFolder}' ({Describe(config)} vs {Describe(MegalodonConfig.FromJson(firstConfig))}): probes across checkpoints need one network shape.", nameof(stepFolders));
                runTokenizer ??= TrainingRunFolder.ReadTokenizer(runFolder);

                var model = new MegalodonModel(config);
                using (var checkpoint = new FolderCheckpointStore(runFolder).Load(step))
                {
                    try { checkpoint.CopyModelTo(model); }
                    catch (InvalidDataException ex)
                    {
                        model.Dispose();
                        throw new ArgumentException($"The weights of checkpoint '{folder}' do not fit its run's config.json: {ex.Message}", nameof(stepFolders), ex);
                    }
                }
                model.eval();
                networks.Add(new ProbedNetwork(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), step, model));
            }
            var resolved = runTokenizer ?? tokenizer
                ?? throw new ArgumentException("The run folder does not describe its tokenizer; give the tokenizer.", nameof(tokenizer));
            if (tokenizer is not null && (tokenizer.VocabSize != resolved.VocabSize || tokenizer.EndOfTextId != resolved.EndOfTextId))
                throw new ArgumentException($"The given tokenizer (vocabulary {tokenizer.VocabSize}) differs from the run's (vocabulary {resolved.VocabSize}).", nameof(tokenizer));
            if (resolved.VocabSize > networks[0].Model.Config.VocabSize)
                throw new ArgumentException($"The tokenizer has {resolved.VocabSize} ids but the checkpoints' model only {networks[0].Model.Config.VocabSize}.", nameof(tokenizer));
            return (networks, resolved);
        }
        catch
        {
            foreach (var network in networks) network.Model.Dispose();
            throw;
        }
    }

    /// <summary>The config of the run a step checkpoint belongs to, without loading weights.</summary>
    /// <exception cref="ArgumentException">The folder is not a step checkpoint of a run that wrote its config.json.</exception>
    public static MegalodonConfig ReadConfig(string stepFolder)
    {
        var (runFolder, _) = Parse(stepFolder);
        var configPath = TrainingRunFolder.ConfigPath(runFolder);
        if (!File.Exists(configPath))
            throw new ArgumentException($"The checkpoint '{stepFolder}' has no config.json in its run folder '{runFolder}': it was not written by pretraining, so its network is unknown.", nameof(stepFolder));
        return MegalodonConfig.Load(configPath);
    }

    private static (string RunFolder, long Step) Parse(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!Directory.Exists(full)) throw new ArgumentException($"The checkpoint folder '{folder}' does not exist.", nameof(folder));
        var name = Path.GetFileName(full);
        if (!name.StartsWith(StepPrefix, StringComparison.Ordinal)
            || !long.TryParse(name.AsSpan(StepPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            throw new ArgumentException($"'{folder}' is not a step checkpoint (a '{StepPrefix}NNNNNN' folder inside a pretraining run folder).", nameof(folder));
        return (Path.GetDirectoryName(full)!, step);
    }

    private static string Describe(MegalodonConfig c) =>
        string.Create(CultureInfo.InvariantCulture, $"{c.NumLayers} layers, width {c.ModelDim}, vocabulary {c.VocabSize}");
}
