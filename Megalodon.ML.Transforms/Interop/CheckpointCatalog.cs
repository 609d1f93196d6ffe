using Megalodon.ML.Checkpoints;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms.Pretraining;

namespace Megalodon.ML.Transforms;

/// <summary>Catalog methods that turn a checkpoint folder (this library's, a training step's or the reference's) into a language-model transformer.</summary>
public static class CheckpointCatalog
{
    /// <summary>
    /// A fitted language model from a checkpoint folder of any layout <see cref="ReferenceCheckpoint.Read"/> reads:
    /// <see cref="MegalodonCheckpoint"/> folders and training step folders (checksums verified), the reference's
    /// consolidated layout (<c>consolidated.pth</c> with its nested config and <c>tokenizer.model</c>), or safetensors
    /// without checksums. Save it with <c>mlContext.Model.Save</c> like any trained model.
    /// </summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="tokenizer">The tokenizer; null takes the folder's (<c>tokenizer_spec.json</c>, <c>tokenizer.model</c>, or the nested config's path).</param>
    /// <param name="scoring">Columns and batch size of the transformer; null for the defaults.</param>
    /// <exception cref="InvalidDataException">The folder holds no tokenizer and none is given, or a file is malformed.</exception>
    public static MegalodonLanguageModelTransformer LoadCheckpoint(this MegalodonCatalog catalog, string folder, ModelTokenizer? tokenizer = null,
        LanguageModelScoringOptions? scoring = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var (model, stored) = ReferenceCheckpoint.Read(folder);
        try
        {
            var chosen = tokenizer ?? stored
                ?? throw new InvalidDataException($"checkpoint '{Path.GetFullPath(folder)}' holds no tokenizer ({CheckpointFileNames.TokenizerSpec} or {CheckpointFileNames.SentencePieceModel}); pass one.");
            model.eval();
            return new MegalodonLanguageModelTransformer(catalog.Environment, model, chosen, scoring ?? new LanguageModelScoringOptions());
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
