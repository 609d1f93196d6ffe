using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Transforms;

/// <summary>
/// The NER trainer in both catalogs: <c>mlContext.MulticlassClassification.Trainers.NuNer(...)</c> and
/// <c>mlContext.Transforms.Megalodon().NuNer(...)</c>, each with simple parameters or an options object.
/// </summary>
public static class NuNerCatalog
{
    /// <summary>A NER tagger trainer over a (pretrained) bidirectional Megalodon encoder, in ML.NET's NER column convention.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">A vector of keys, one BIO label per word, with the label names as key values.</param>
    /// <param name="sentenceColumnName">The sentence text (words separated by whitespace).</param>
    /// <param name="predictedLabelColumnName">The predicted labels (a key vector, one per word).</param>
    /// <param name="encoderPath">A pretrained text encoder file; null for a fresh tiny encoder.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Sentences per step.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="freezeEncoder">Train the head only.</param>
    /// <param name="seed">Seed; null draws one from the MLContext.</param>
    public static NuNerTrainer NuNer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label",
        string sentenceColumnName = "Sentence", string predictedLabelColumnName = "PredictedLabel", string? encoderPath = null, int epochs = 10,
        int batchSize = 16, double learningRate = 1e-3, bool freezeEncoder = false, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NuNerTrainer(CatalogUtils.GetEnvironment(catalog), SimpleOptions(labelColumnName, sentenceColumnName, predictedLabelColumnName, encoderPath, epochs, batchSize, learningRate, freezeEncoder, seed));
    }

    /// <summary>A NER tagger trainer with every option.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The options.</param>
    public static NuNerTrainer NuNer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, NuNerTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NuNerTrainer(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>A NER tagger trainer over a (pretrained) bidirectional Megalodon encoder, in ML.NET's NER column convention.</summary>
    /// <param name="catalog">The Megalodon catalog.</param>
    /// <param name="labelColumnName">A vector of keys, one BIO label per word, with the label names as key values.</param>
    /// <param name="sentenceColumnName">The sentence text (words separated by whitespace).</param>
    /// <param name="predictedLabelColumnName">The predicted labels (a key vector, one per word).</param>
    /// <param name="encoderPath">A pretrained text encoder file; null for a fresh tiny encoder.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Sentences per step.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="freezeEncoder">Train the head only.</param>
    /// <param name="seed">Seed; null draws one from the MLContext.</param>
    public static NuNerTrainer NuNer(this MegalodonCatalog catalog, string labelColumnName = "Label", string sentenceColumnName = "Sentence",
        string predictedLabelColumnName = "PredictedLabel", string? encoderPath = null, int epochs = 10, int batchSize = 16, double learningRate = 1e-3,
        bool freezeEncoder = false, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NuNerTrainer(catalog.Environment, SimpleOptions(labelColumnName, sentenceColumnName, predictedLabelColumnName, encoderPath, epochs, batchSize, learningRate, freezeEncoder, seed));
    }

    /// <summary>A NER tagger trainer with every option.</summary>
    /// <param name="catalog">The Megalodon catalog.</param>
    /// <param name="options">The options.</param>
    public static NuNerTrainer NuNer(this MegalodonCatalog catalog, NuNerTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NuNerTrainer(catalog.Environment, options);
    }

    private static NuNerTrainer.Options SimpleOptions(string labelColumnName, string sentenceColumnName, string predictedLabelColumnName,
        string? encoderPath, int epochs, int batchSize, double learningRate, bool freezeEncoder, int? seed) => new()
    {
        LabelColumnName = labelColumnName,
        SentenceColumnName = sentenceColumnName,
        PredictedLabelColumnName = predictedLabelColumnName,
        EncoderPath = encoderPath,
        Epochs = epochs,
        BatchSize = batchSize,
        LearningRate = learningRate,
        FreezeEncoder = freezeEncoder,
        Seed = seed,
    };
}
