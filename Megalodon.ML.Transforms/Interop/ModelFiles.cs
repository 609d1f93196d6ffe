using Megalodon.ML.Checkpoints;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Moves a language model between a saved ML.NET model (<c>.zip</c>) and checkpoint folders of either layout
/// (<see cref="CheckpointFormat"/>): the logic behind <c>megalodon export</c> and <c>megalodon import</c>.
/// </summary>
public static class ModelFiles
{
    /// <summary>
    /// Writes the language model of <paramref name="source"/> (a saved model <c>.zip</c> holding a
    /// <see cref="MegalodonLanguageModelTransformer"/>, or a checkpoint folder of any readable layout) into
    /// <paramref name="outDir"/> in <paramref name="format"/>, with its tokenizer; from a training checkpoint also its
    /// AdamW state (and, in the Megalodon layout, its trainer state).
    /// </summary>
    /// <param name="source">The model zip or checkpoint folder.</param>
    /// <param name="format">The layout to write.</param>
    /// <param name="outDir">The output folder (replaced only once complete).</param>
    /// <exception cref="FileNotFoundException">The source does not exist.</exception>
    /// <exception cref="InvalidDataException">The zip holds no Megalodon language model, or a file is malformed.</exception>
    public static void Export(string source, CheckpointFormat format, string outDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        if (Directory.Exists(source))
        {
            CheckpointExport.Convert(source, format, outDir);
            return;
        }
        if (!File.Exists(source)) throw new FileNotFoundException($"'{source}' is neither a model file nor a checkpoint folder.", source);
        var loaded = new MLContext().Model.Load(source, out _);
        try
        {
            var lm = FindLanguageModel(loaded)
                ?? throw new InvalidDataException($"'{source}' holds no Megalodon language model (found {loaded.GetType().Name}).");
            CheckpointExport.Write(outDir, lm.Model, lm.Tokenizer, format);
        }
        finally
        {
            DisposeAll(loaded);
        }
    }

    /// <summary>Reads a checkpoint folder of any layout (see <see cref="CheckpointCatalog.LoadCheckpoint"/>) and saves it as a model <c>.zip</c>.</summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="outZip">The model file to write.</param>
    public static void Import(string folder, string outZip)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outZip);
        var ml = new MLContext();
        using var lm = ml.Transforms.Megalodon().LoadCheckpoint(folder);
        var parent = Path.GetDirectoryName(Path.GetFullPath(outZip));
        if (parent is not null) Directory.CreateDirectory(parent);
        ml.Model.Save(lm, null, outZip);
    }

    /// <summary>The language model inside a loaded transformer (itself, or the first one in a chain), or null.</summary>
    public static MegalodonLanguageModelTransformer? FindLanguageModel(ITransformer transformer) => transformer switch
    {
        MegalodonLanguageModelTransformer lm => lm,
        IEnumerable<ITransformer> chain => chain.Select(FindLanguageModel).FirstOrDefault(t => t is not null),
        _ => null,
    };

    private static void DisposeAll(ITransformer transformer)
    {
        if (transformer is IEnumerable<ITransformer> chain)
            foreach (var t in chain) DisposeAll(t);
        (transformer as IDisposable)?.Dispose();
    }
}
