using Megalodon.ML.Transforms.EncoderPretraining;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Encoder pretraining in the catalog: <c>mlContext.Transforms.Megalodon().PretrainEncoder(...)</c> (masked language
/// modelling on a text column) and <c>.PretrainConceptEncoder(...)</c> (NuNER's concept-contrastive stage on concept
/// annotations). Both return a <see cref="TextEncoderTransformer"/> whose encoder the NuNer trainer takes.
/// </summary>
public static class EncoderPretrainingCatalog
{
    /// <summary>Masked-language-model pretraining of a bidirectional encoder on a text column.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="preset">The encoder shape: tiny, small or base.</param>
    /// <param name="maxSteps">Optimizer steps.</param>
    /// <param name="batchSize">Text pieces per step.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="seed">Seed; null draws one from the MLContext.</param>
    public static MaskedLanguageModelEstimator PretrainEncoder(this MegalodonCatalog catalog, string textColumnName = "Text", string preset = "tiny",
        int maxSteps = 500, int batchSize = 16, double learningRate = 2e-3, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MaskedLanguageModelEstimator(catalog.Environment, new MaskedLanguageModelEstimator.Options
        {
            TextColumnName = textColumnName, Preset = preset, MaxSteps = maxSteps, BatchSize = batchSize, LearningRate = learningRate, Seed = seed,
        });
    }

    /// <summary>Masked-language-model pretraining with every option (checkpoints, resume, token budget, ...).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">The options.</param>
    public static MaskedLanguageModelEstimator PretrainEncoder(this MegalodonCatalog catalog, MaskedLanguageModelEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MaskedLanguageModelEstimator(catalog.Environment, options);
    }

    /// <summary>Concept-contrastive pretraining from an encoder (e.g. <c>mlm.Encoder</c> of a fitted <see cref="MaskedLanguageModelEstimator"/>).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="encoder">The encoder to start from (copied); null for a fresh tiny one.</param>
    /// <param name="maxSteps">Optimizer steps.</param>
    /// <param name="batchSize">Sentences per step.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="seed">Seed; null draws one from the MLContext.</param>
    public static ConceptPretrainingEstimator PretrainConceptEncoder(this MegalodonCatalog catalog, ML.Encoder.BidirectionalEncoder? encoder = null,
        int maxSteps = 300, int batchSize = 16, double learningRate = 1e-3, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConceptPretrainingEstimator(catalog.Environment, new ConceptPretrainingEstimator.Options
        {
            Encoder = encoder, MaxSteps = maxSteps, BatchSize = batchSize, LearningRate = learningRate, Seed = seed,
        });
    }

    /// <summary>Concept-contrastive pretraining with every option.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">The options.</param>
    public static ConceptPretrainingEstimator PretrainConceptEncoder(this MegalodonCatalog catalog, ConceptPretrainingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConceptPretrainingEstimator(catalog.Environment, options);
    }
}
