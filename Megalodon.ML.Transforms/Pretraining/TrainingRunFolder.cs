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
    public const string TokenizerFileName = "tokenizer.json";

    // Written when the tokenizer cannot be described; a reader then needs the tokenizer from elsewhere.
    private const string UndescribedTokenizer = "{}";

    /// <summary>Creates <paramref name="folder"/> if needed and writes the run's config and tokenizer description.</summary>
    public static void Describe(string folder, MegalodonConfig config, ModelTokenizer tokenizer)
    {
        Directory.CreateDirectory(folder);
        config.Save(ConfigPath(folder));
        File.WriteAllText(Path.Combine(folder, TokenizerFileName), tokenizer.CanSave ? tokenizer.ToSpec().ToJson() : UndescribedTokenizer);
    }

    /// <summary>The path of the run's <c>config.json</c>.</summary>
    public static string ConfigPath(string folder) => Path.Combine(folder, ConfigFileName);

    /// <summary>The tokenizer the folder describes, or null when it has no description or could not write one.</summary>
    public static ModelTokenizer? ReadTokenizer(string folder)
    {
        var path = Path.Combine(folder, TokenizerFileName);
        if (!File.Exists(path)) return null;
        var json = File.ReadAllText(path).Trim();
        return json == UndescribedTokenizer ? null : ModelTokenizer.FromSpec(TokenizerSpec.FromJson(json));
    }
}
