using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Transforms.Pretraining;

/// <summary>
/// The description a training run leaves beside its step checkpoints: the network's <c>config.json</c> and the
/// tokenizer's <c>tokenizer.json</c>. Pretraining and continual pretraining write it; continual pretraining reads it to
/// start from a checkpoint folder (and probing work reads it later), so the layout is defined here once.
/// </summary>
internal static class TrainingRunFolder
{
    public const string ConfigFileName = "config.json";
    public const string TokenizerFileName = TrainingRunTokenizer.FileName;

    /// <summary>Creates <paramref name="folder"/> if needed and writes the run's config and tokenizer description.</summary>
    public static void Describe(string folder, MegalodonConfig config, ModelTokenizer tokenizer)
    {
        Directory.CreateDirectory(folder);
        config.Save(ConfigPath(folder));
        TrainingRunTokenizer.Write(folder, tokenizer);
    }

    /// <summary>The path of the run's <c>config.json</c>.</summary>
    public static string ConfigPath(string folder) => Path.Combine(folder, ConfigFileName);

    /// <summary>The tokenizer the folder describes, or null when it has no description or could not write one.</summary>
    public static ModelTokenizer? ReadTokenizer(string folder) => TrainingRunTokenizer.Read(folder);
}
