using System.Diagnostics;
using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>Fine-tunes a <see cref="TokenClassifier"/> on labelled sentences: word-level cross-entropy, whole encoder or head only.</summary>
public static class TokenClassifierTrainer
{
    private const string CheckpointKind = "token-classifier";

    /// <summary>The label of a word that is not trained on (e.g. truncated away).</summary>
    public const int IgnoredLabel = -100;

    /// <summary>Trains <paramref name="classifier"/> in place.</summary>
    /// <param name="classifier">The classifier.</param>
    /// <param name="sentences">Sentences with one class index per word (<see cref="IgnoredLabel"/> to skip a word).</param>
    /// <param name="settings">Budget and hyper-parameters.</param>
    /// <param name="freezeEncoder">Train only the head, keeping the encoder's weights.</param>
    /// <param name="progress">Optional per-step reports.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <param name="validation">Optional validation checks with early stopping and best-weight restore.</param>
    /// <param name="checkpoints">
    /// Optional checkpoints (classifier, optimizer) and resume from the latest one, for long supervised runs such as
    /// NER-BERT-style pretraining; not with <paramref name="validation"/>, whose best weights would not survive a restart.
    /// </param>
    /// <exception cref="ArgumentException">No sentences, a label count that differs from the word count, a class index out of range, or checkpoints with validation.</exception>
    public static EncoderTrainingResult Train(TokenClassifier classifier, IReadOnlyList<(EncodedWords Words, int[] Labels)> sentences,
        EncoderTrainingSettings settings, bool freezeEncoder = false, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default,
        TaggerValidation? validation = null, EncoderCheckpointSettings? checkpoints = null)
    {
        if (checkpoints is not null && validation is not null)
            throw new ArgumentException("Checkpoints and validation cannot be combined: the best weights of the validation would not survive a restart.", nameof(checkpoints));
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(sentences);
        settings.Validate();
        if (sentences.Count == 0) throw new ArgumentException("There are no training sentences.", nameof(sentences));
        for (int i = 0; i < sentences.Count; i++)
        {
            var (words, labels) = sentences[i];
            if (labels.Length != words.WordCount)
                throw new ArgumentException($"Sentence {i} has {words.WordCount} words but {labels.Length} labels.", nameof(sentences));
            foreach (int label in labels)
                if (label != IgnoredLabel && (label < 0 || label >= classifier.ClassCount))
                    throw new ArgumentException($"Sentence {i} has class index {label}, outside [0, {classifier.ClassCount}).", nameof(sentences));
        }

        // Borrows the global generator (dropout, module construction) for the run and restores it after.
        using var seeded = Runtime.GlobalRandomScope.Seeded(settings.Seed);
        var random = new Random(settings.Seed);
        var order = new BatchOrder(sentences.Count, random);
        var trainable = freezeEncoder
            ? classifier.named_parameters().Where(p => !p.name.StartsWith("encoder.", StringComparison.Ordinal)).Select(p => p.parameter)
            : classifier.parameters();
        var clock = Stopwatch.StartNew();
        classifier.train();
        if (freezeEncoder) classifier.Encoder.eval();
        using var optimizer = new EncoderOptimizer(trainable, settings, progress);
        int stepsPerEpoch = (int)Math.Ceiling((double)sentences.Count / Math.Min(settings.BatchSize, sentences.Count));
        using var checks = validation is null ? null : new ValidationTracker(classifier, validation.Validate(), stepsPerEpoch, settings.Steps);
        (string, nn.Module)[] modules = [("classifier", classifier)];
        int first = checkpoints?.Validate() is { Resume: true } c ? EncoderCheckpoints.Resume(c, CheckpointKind, modules, optimizer) : 0;
        for (int step = 0; step < first; step++) order.Next(Math.Min(settings.BatchSize, sentences.Count)); // the data order of the steps already done
        long tokens = 0;
        for (int step = first; step < settings.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (checks?.Check(step, optimizer.Losses, freezeEncoder) == false) break;
            using var scope = NewDisposeScope();
            var batch = order.Next(Math.Min(settings.BatchSize, sentences.Count)).Select(i => sentences[i]).ToList();
            var logits = classifier.Logits(batch.Select(s => s.Words).ToList());
            int wordCount = (int)logits.shape[1];
            var labels = new long[batch.Count * wordCount];
            Array.Fill(labels, IgnoredLabel);
            for (int b = 0; b < batch.Count; b++)
                for (int w = 0; w < batch[b].Labels.Length; w++)
                    labels[b * wordCount + w] = batch[b].Words.WordTokenCount(w) == 0 ? IgnoredLabel : batch[b].Labels[w];
            if (labels.All(l => l == IgnoredLabel)) continue;
            var target = tensor(labels, [batch.Count * wordCount], ScalarType.Int64, classifier.Encoder.Device);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, classifier.ClassCount), target, ignore_index: IgnoredLabel);
            long batchTokens = batch.Sum(s => (long)s.Words.Ids.Length);
            tokens += batchTokens;
            optimizer.Update(loss, batchTokens);
            if (checkpoints is not null && (optimizer.Step % checkpoints.Interval == 0 || optimizer.Step == settings.Steps))
                EncoderCheckpoints.Save(checkpoints, CheckpointKind, optimizer.Step, modules, optimizer);
        }
        checks?.Finish(settings.Steps, optimizer.Losses);
        classifier.eval();
        return new EncoderTrainingResult(optimizer.Losses.ToArray(), clock.Elapsed, tokens)
        {
            Validation = checks?.Checks.ToArray() ?? [],
            StoppedEarly = checks?.StoppedEarly ?? false,
        };
    }
}
