using Megalodon.ML.Tokenization;

using Megalodon.ML.Transforms.Pretraining;

namespace Megalodon.ML.Transforms;

/// <summary>Catalog methods for <see cref="MegalodonPretrainEstimator"/>.</summary>
public static class PretrainCatalog
{
    /// <summary>Pretrains a Megalodon language model on a text column (one document per row).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="preset">A named shape: tiny, bench, small, 200m, 1.3b or 7b.</param>
    /// <param name="maxSteps">Optimizer steps.</param>
    /// <param name="sequenceLength">Tokens per training window (below the chunk size or a multiple of it).</param>
    /// <param name="batchSize">Windows per step.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="tokenizer">The tokenizer; null for GPT-2's.</param>
    /// <param name="seed">Seed for initialisation and data order; null derives it from the MLContext.</param>
    public static MegalodonPretrainEstimator Pretrain(this MegalodonCatalog catalog, string textColumnName = "Text", string preset = "tiny",
        long maxSteps = 1000, int sequenceLength = 512, int batchSize = 8, double learningRate = 1e-3, ModelTokenizer? tokenizer = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MegalodonPretrainEstimator(catalog.Environment, new MegalodonPretrainEstimator.Options
        {
            TextColumnName = textColumnName,
            Preset = preset,
            MaxSteps = maxSteps,
            SequenceLength = sequenceLength,
            BatchSize = batchSize,
            LearningRate = learningRate,
            Tokenizer = tokenizer,
            Seed = seed,
        });
    }

    /// <summary>Pretrains a Megalodon language model as set in <paramref name="options"/>.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">Model, data, optimizer, schedule, checkpoint and output settings.</param>
    public static MegalodonPretrainEstimator Pretrain(this MegalodonCatalog catalog, MegalodonPretrainEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MegalodonPretrainEstimator(catalog.Environment, options);
    }
}
