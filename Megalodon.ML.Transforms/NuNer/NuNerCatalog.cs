using Megalodon.ML.Transforms.Ner;
using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Transforms;

/// <summary>
/// The NER trainer in both catalogs: <c>mlContext.MulticlassClassification.Trainers.NuNer(...)</c> and
/// <c>mlContext.Transforms.Megalodon().NuNer(...)</c>, each with simple parameters or an options object. The simple
/// parameters begin as ML.NET's <c>NamedEntityRecognition</c> does (labelColumnName, outputColumnName,
/// sentence1ColumnName, batchSize, maxEpochs, validationSet), so an app switches between the two trainers by the method name.
/// </summary>
public static class NuNerCatalog
{
    /// <summary>A NER tagger trainer over a (pretrained) bidirectional Megalodon encoder, in ML.NET's NER column convention.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">One BIO label per word: a vector of keys with the label names as key values, or a vector of text.</param>
    /// <param name="outputColumnName">The predicted labels (a key vector, one per word).</param>
    /// <param name="sentence1ColumnName">The sentence text (words separated by whitespace).</param>
    /// <param name="batchSize">Sentences per step.</param>
    /// <param name="maxEpochs">Most passes over the training data.</param>
    /// <param name="validationSet">Held-out rows: entity F1 checked every epoch, early stopping, best weights kept; null for none.</param>
    /// <param name="encoderPath">A pretrained text encoder file; null for a fresh tiny encoder.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="freezeEncoder">Train the head only.</param>
    /// <param name="seed">Seed; null draws one from the MLContext.</param>
    public static NuNerTrainer NuNer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = NerColumnNames.Label,
        string outputColumnName = NerColumnNames.PredictedLabel, string sentence1ColumnName = NerColumnNames.Sentence, int batchSize = 16, int maxEpochs = 10,
        IDataView? validationSet = null, string? encoderPath = null, double learningRate = 1e-3, bool freezeEncoder = false, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NuNerTrainer(CatalogUtils.GetEnvironment(catalog),
            SimpleOptions(labelColumnName, outputColumnName, sentence1ColumnName, batchSize, maxEpochs, validationSet, encoderPath, learningRate, freezeEncoder, seed));
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
    /// <param name="labelColumnName">One BIO label per word: a vector of keys with the label names as key values, or a vector of text.</param>
    /// <param name="outputColumnName">The predicted labels (a key vector, one per word).</param>
    /// <param name="sentence1ColumnName">The sentence text (words separated by whitespace).</param>
    /// <param name="batchSize">Sentences per step.</param>
    /// <param name="maxEpochs">Most passes over the training data.</param>
    /// <param name="validationSet">Held-out rows: entity F1 checked every epoch, early stopping, best weights kept; null for none.</param>
    /// <param name="encoderPath">A pretrained text encoder file; null for a fresh tiny encoder.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="freezeEncoder">Train the head only.</param>
    /// <param name="seed">Seed; null draws one from the MLContext.</param>
    public static NuNerTrainer NuNer(this MegalodonCatalog catalog, string labelColumnName = NerColumnNames.Label,
        string outputColumnName = NerColumnNames.PredictedLabel, string sentence1ColumnName = NerColumnNames.Sentence, int batchSize = 16, int maxEpochs = 10,
        IDataView? validationSet = null, string? encoderPath = null, double learningRate = 1e-3, bool freezeEncoder = false, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NuNerTrainer(catalog.Environment,
            SimpleOptions(labelColumnName, outputColumnName, sentence1ColumnName, batchSize, maxEpochs, validationSet, encoderPath, learningRate, freezeEncoder, seed));
    }

    /// <summary>A NER tagger trainer with every option.</summary>
    /// <param name="catalog">The Megalodon catalog.</param>
    /// <param name="options">The options.</param>
    public static NuNerTrainer NuNer(this MegalodonCatalog catalog, NuNerTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NuNerTrainer(catalog.Environment, options);
    }

    private static NuNerTrainer.Options SimpleOptions(string labelColumnName, string outputColumnName, string sentence1ColumnName, int batchSize, int maxEpochs,
        IDataView? validationSet, string? encoderPath, double learningRate, bool freezeEncoder, int? seed) => new()
    {
        LabelColumnName = labelColumnName,
        OutputColumnName = outputColumnName,
        Sentence1ColumnName = sentence1ColumnName,
        BatchSize = batchSize,
        MaxEpochs = maxEpochs,
        ValidationSet = validationSet,
        EncoderPath = encoderPath,
        LearningRate = learningRate,
        FreezeEncoder = freezeEncoder,
        Seed = seed,
    };
}
