using System.Globalization;
using Megalodon.ML.Inference;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Megalodon.Samples.EmbeddingsClassifier;

/// <summary>
/// Megalodon as a feature extractor inside an ordinary ML.NET pipeline: a tiny byte-level Megalodon is pretrained on
/// the training sentences, its pooled embeddings are min-max normalised and fed to a maximum-entropy classifier.
/// The whole chain is evaluated, saved, loaded back and used through a <c>PredictionEngine</c>.
/// </summary>
public static class EmbeddingsClassifierSample
{
    /// <summary>The sentence classified after the chain is loaded back.</summary>
    public const string ExampleSentence = "Heavy rain and cold winds are expected tomorrow.";

    /// <summary>
    /// A model small enough to pretrain in seconds on two cores: the tiny preset (two layers of width 64) over the
    /// byte-level vocabulary (256 bytes + end-of-text), with 16-token attention chunks to suit short sentences.
    /// </summary>
    public static MegalodonConfig TinyConfig => MegalodonPresets.Tiny(257) with { ChunkSize = 16 };

    /// <summary>Runs the sample, writing its progress and metrics to <paramref name="output"/>.</summary>
    /// <returns>The metrics on the held-out sentences.</returns>
    public static MulticlassClassificationMetrics Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var ml = new MLContext(seed: 1);
        var training = ml.Data.LoadFromEnumerable(SampleSentences.Training);
        var test = ml.Data.LoadFromEnumerable(SampleSentences.Test);

        var pretraining = new MegalodonPretrainEstimator.Options
        {
            TextColumnName = nameof(SentenceRow.Text),
            Config = TinyConfig,
            Tokenizer = ModelTokenizer.ByteLevel(),
            SequenceLength = 32,
            BatchSize = 8,
            MaxSteps = 150,
            LearningRate = 3e-3,
            WarmupSteps = 15,
            // Every sentence is needed for training; the classifier is judged on the held-out set instead.
            ValidationFraction = 0,
            EvalInterval = 0,
            Seed = 1,
            Threads = 1,
            // The mean over a sentence's bytes is a steadier sentence feature than the last byte's state.
            Scoring = new LanguageModelScoringOptions { Pooling = PoolingMode.Mean },
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(SentenceRow.Category))
            .Append(ml.Transforms.Megalodon().Pretrain(pretraining))
            .Append(ml.Transforms.NormalizeMinMax("Embedding"))
            // The classifier passes over the data many times; embeddings are computed once and cached.
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Embedding",
                // One thread keeps the result identical from run to run.
                NumberOfThreads = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue(nameof(CategoryPrediction.PredictedCategory), "PredictedLabel"));

        output.WriteLine($"Pretraining a tiny Megalodon on {SampleSentences.Training.Count} sentences and fitting the classifier...");
        var model = pipeline.Fit(training);
        try
        {
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            WriteMetrics(metrics, output);
            PredictAfterRoundTrip(ml, model, training.Schema, output);
            return metrics;
        }
        finally
        {
            model.Dispose();
        }
    }

    private static void WriteMetrics(MulticlassClassificationMetrics metrics, TextWriter output)
    {
        output.WriteLine($"Metrics on {SampleSentences.Test.Count} held-out sentences:");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  MicroAccuracy    {metrics.MicroAccuracy:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  MacroAccuracy    {metrics.MacroAccuracy:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  LogLoss          {metrics.LogLoss:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  LogLossReduction {metrics.LogLossReduction:F3}"));
        output.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
    }

    /// <summary>Saves the fitted chain, loads it into a fresh context and predicts one sentence.</summary>
    private static void PredictAfterRoundTrip(MLContext ml, ITransformer model, DataViewSchema schema, TextWriter output)
    {
        var path = Path.Combine(Path.GetTempPath(), $"megalodon-embeddings-classifier-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, schema, path);
            var fresh = new MLContext(seed: 1);
            var loaded = fresh.Model.Load(path, out _);
            try
            {
                var engine = fresh.Model.CreatePredictionEngine<SentenceRow, CategoryPrediction>(loaded);
                var prediction = engine.Predict(new SentenceRow { Text = ExampleSentence });
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Saved, reloaded and predicted: \"{ExampleSentence}\" -> {prediction.PredictedCategory} (p = {prediction.Score.Max():F2})"));
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
