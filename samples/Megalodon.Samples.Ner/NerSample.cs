using Megalodon.ML.Ner;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.EncoderPretraining;
using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.Samples.Ner;

/// <summary>
/// NER in an existing ML.NET app, end to end: CoNLL files in, a small bidirectional encoder pretrained with masked language
/// modelling on the training text, NuNER fine-tuning with early stopping on dev entity F1, evaluation on test, save, reload,
/// and a PredictionEngine that tags a new sentence.
/// </summary>
public static class NerSample
{
    /// <summary>A sentence to tag.</summary>
    public sealed class SentenceInput
    {
        /// <summary>The words, separated by spaces.</summary>
        public string Sentence { get; set; } = "";
    }

    /// <summary>What the PredictionEngine returns.</summary>
    public sealed class TagOutput
    {
        /// <summary>One label per word (the key column mapped back to its names).</summary>
        [ColumnName("PredictedLabelText")]
        public string[] Labels { get; set; } = [];

        /// <summary>Entity spans as <c>type:start-end</c> over word indices.</summary>
        public string[] Entities { get; set; } = [];
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Runs the sample, writing what it does to <paramref name="output"/>; returns the test metrics.</summary>
    /// <param name="output">Where the report goes.</param>
    /// <param name="options">Files and budget; null for the built-in set at a small budget.</param>
    public static NerMetrics Run(TextWriter output, NerSampleOptions? options = null)
    {
        options ??= new NerSampleOptions();
        string folder = options.OutputFolder ?? Path.Combine(Path.GetTempPath(), "megalodon-ner-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var (trainPath, devPath, testPath) = options.TrainPath is null ? BuiltInConll.Write(folder) : (options.TrainPath, options.DevPath!, options.TestPath!);
        var ml = new MLContext(seed: 1);

        // 1. CoNLL in. Lenient reading repairs the word fields real files get wrong, and says where.
        var train = ml.Data.LoadFromConll(trainPath, new ConllReaderOptions { Lenient = true }, out var read);
        output.WriteLine($"Read {read.Sentences.Count} training sentences from {Path.GetFileName(trainPath)} ({read.Summary()}).");
        var dev = ml.Data.LoadFromConll(devPath, new ConllReaderOptions { Lenient = true }, out _);
        var test = ml.Data.LoadFromConll(testPath, new ConllReaderOptions { Lenient = true }, out _);

        // 2. Encoder pretraining: masked language modelling on the training text (any unlabelled text of the domain works).
        var texts = ml.Data.LoadFromEnumerable(read.Sentences.Select(s => new TextRow { Text = s.Text }));
        using var encoder = ml.Transforms.Megalodon().PretrainEncoder(new MaskedLanguageModelEstimator.Options
        {
            MaxSteps = options.MlmSteps,
            BatchSize = 16,
            CheckpointFolder = Path.Combine(folder, "mlm-checkpoints"),
            CheckpointInterval = Math.Max(1, options.MlmSteps / 2),
            Seed = 1,
        }).Fit(texts);
        output.WriteLine($"Pretrained the encoder: MLM loss {encoder.TrainingResult!.MeanOfFirst(5):F3} -> {encoder.TrainingResult.MeanOfLast(5):F3}.");

        // 3. Fine-tuning with dev early stopping. The label keys of each file are read through their names: no label set to pass around.
        var trainer = ml.MulticlassClassification.Trainers.NuNer(new NuNerTrainer.Options
        {
            Encoder = encoder.Encoder,
            MaxEpochs = options.MaxEpochs,
            BatchSize = 16,
            LearningRate = 2e-3,
            ValidationSet = dev,
            EarlyStoppingPatience = 3,
            Seed = 1,
            OnValidation = check => output.WriteLine($"  epoch {check.Epoch:F1}: dev entity F1 {100 * check.Score:F1}{(check.IsBest ? " (best)" : "")}"),
        });
        using var model = trainer.Fit(train);
        output.WriteLine($"Fine-tuned: kept epoch {model.TrainingResult!.Best!.Epoch:F1}; labels {string.Join(", ", model.LabelNames)} (output key type of {model.OutputKeyType.Count} keys).");

        // 4. Evaluation on test with the catalog's NER scorer.
        var metrics = ml.MulticlassClassification.EvaluateNer(model.Transform(test));
        output.WriteLine($"Test: entity F1 {100 * metrics.F1:F1}, precision {100 * metrics.Precision:F1}, recall {100 * metrics.Recall:F1}.");

        // 5. Save, reload in a fresh context, and tag a new sentence with a PredictionEngine.
        var modelPath = Path.Combine(folder, "ner.zip");
        var pipeline = model.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelText", "PredictedLabel").Fit(model.Transform(train)));
        ml.Model.Save(pipeline, train.Schema, modelPath);
        var reloaded = new MLContext().Model.Load(modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<SentenceInput, TagOutput>(reloaded);
        const string sentence = "Grace saw Pink Floyd in New York .";
        var tagged = engine.Predict(new SentenceInput { Sentence = sentence });
        output.WriteLine($"Saved, reloaded and predicted: '{sentence}' -> {string.Join(" ", tagged.Labels)} [{string.Join(", ", tagged.Entities)}]");
        return metrics;
    }
}
