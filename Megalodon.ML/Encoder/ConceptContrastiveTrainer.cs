using Megalodon.ML.Runtime;
using System.Diagnostics;
using Megalodon.ML.Ner;
using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// NuNER's concept-contrastive pretraining (arXiv 2402.15343): the text encoder's token features and the concept
/// encoder's concept embeddings are scored pairwise, and a sigmoid binary cross-entropy over every (token, concept)
/// pair of the batch pushes tokens inside a mention of a concept towards it and every other pair apart; the concepts
/// annotated in the other sentences of the batch are the negatives. Afterwards only the text encoder is needed for
/// fine-tuning (the concept encoder serves zero-shot tagging).
/// </summary>
public static class ConceptContrastiveTrainer
{
    /// <summary>Trains both encoders in place.</summary>
    /// <param name="textEncoder">The text encoder (typically MLM-pretrained).</param>
    /// <param name="conceptEncoder">The concept encoder (typically a copy of the same encoder, see <see cref="ConceptEncoder(BidirectionalEncoder)"/>).</param>
    /// <param name="sentences">Texts with their concept spans (for example from <see cref="ConceptJsonl"/>); texts without spans still give negatives.</param>
    /// <param name="settings">Budget and hyper-parameters.</param>
    /// <param name="progress">Optional per-step reports.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <param name="positiveWeight">
    /// Weight of the positive pairs in the cross-entropy (PyTorch's <c>pos_weight</c>); 1, the default, is the plain mean of the
    /// paper. Positives are rare (about 1% of the pairs), so a larger weight gives them more of the gradient in a short run.
    /// </param>
    /// <param name="checkpoints">Optional checkpoints (both encoders, optimizer) and resume from the latest one.</param>
    /// <param name="learnedScoreScale">
    /// Score pairs as <see cref="ConceptEncoder.Score"/> does, with its learned scale and bias (true, the default); false scores
    /// them by the plain dot product ⟨h_t, e_c⟩ of the paper (<see cref="ConceptEncoder.DotProduct"/>), and the scale and bias
    /// are left untrained.
    /// </param>
    /// <exception cref="ArgumentException">No sentence has a concept span, or the encoders differ in feature width or device.</exception>
    public static EncoderTrainingResult Train(BidirectionalEncoder textEncoder, ConceptEncoder conceptEncoder,
        IReadOnlyList<ConceptAnnotatedSentence> sentences, EncoderTrainingSettings settings,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, double positiveWeight = 1.0,
        EncoderCheckpointSettings? checkpoints = null, bool learnedScoreScale = true)
    {
        ArgumentNullException.ThrowIfNull(textEncoder);
        if (!(positiveWeight > 0 && double.IsFinite(positiveWeight))) throw new ArgumentOutOfRangeException(nameof(positiveWeight), positiveWeight, "The positive weight must be positive.");
        ArgumentNullException.ThrowIfNull(conceptEncoder);
        ArgumentNullException.ThrowIfNull(sentences);
        settings.Validate();
        if (textEncoder.FeatureDim != conceptEncoder.FeatureDim)
            throw new ArgumentException($"The text encoder's features ({textEncoder.FeatureDim}) and the concept embeddings ({conceptEncoder.FeatureDim}) must have the same width.");
        if (!TorchDevices.Same(textEncoder.Device, conceptEncoder.Device))
            throw new ArgumentException($"The text encoder is on {textEncoder.Device} and the concept encoder on {conceptEncoder.Device}; both must be on one device.");
        var examples = Prepare(sentences, settings.MaxTokens);
        if (!examples.Any(e => e.Mentions.Count > 0)) throw new ArgumentException("No sentence has a concept mention.", nameof(sentences));

        var random = new Random(settings.Seed);
        var order = new BatchOrder(examples.Count, random);
        var clock = Stopwatch.StartNew();
        textEncoder.train();
        conceptEncoder.train();
        var trainable = textEncoder.parameters().Concat(learnedScoreScale ? conceptEncoder.parameters() : conceptEncoder.NameEncoder.parameters());
        using var optimizer = new EncoderOptimizer(trainable, settings, progress);
        (string, nn.Module)[] modules = [("text", textEncoder), ("concept", conceptEncoder)];
        int first = checkpoints?.Validate() is { Resume: true } c ? EncoderCheckpoints.Resume(c, CheckpointKind, modules, optimizer) : 0;
        for (int step = 0; step < first; step++) order.Next(settings.BatchSize); // the data order of the steps already done
        long tokens = 0;
        for (int step = first; step < settings.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = order.Next(settings.BatchSize).Select(i => examples[i]).ToList();
            var loss = Loss(textEncoder, conceptEncoder, batch, positiveWeight, learnedScoreScale);
            long batchTokens = batch.Sum(e => (long)e.Ids.Length);
            tokens += batchTokens;
            optimizer.Update(loss, batchTokens);
            if (checkpoints is not null && (optimizer.Step % checkpoints.Interval == 0 || optimizer.Step == settings.Steps))
                EncoderCheckpoints.Save(checkpoints, CheckpointKind, optimizer.Step, modules, optimizer);
        }
        textEncoder.eval();
        conceptEncoder.eval();
        return new EncoderTrainingResult(optimizer.Losses.ToArray(), clock.Elapsed, tokens);
    }

    private const string CheckpointKind = "concept-contrastive";

    /// <summary>A sentence ready for the loss: ids and, per mention, its token range and normalised concept name.</summary>
    internal sealed record Example(int[] Ids, IReadOnlyList<(int FirstToken, int EndToken, string Concept)> Mentions);

    /// <summary>Encodes the texts and maps every span's characters to the tokens anchored inside it.</summary>
    internal static List<Example> Prepare(IReadOnlyList<ConceptAnnotatedSentence> sentences, int maxTokens)
    {
        var examples = new List<Example>(sentences.Count);
        foreach (var sentence in sentences)
        {
            if (string.IsNullOrWhiteSpace(sentence.Text)) continue;
            var encoded = EncodedText.Encode(sentence.Text, maxTokens);
            var spans = new List<(int, int, string)>();
            foreach (var span in sentence.Entities)
            {
                var tokens = SubTokenAlignment.TokensInCharSpan(sentence.Text, encoded.Offsets, span.Start, span.End);
                // Byte tokens of a span are contiguous; a span cut off by truncation has none.
                if (tokens.Count > 0) spans.Add((tokens[0], tokens[^1] + 1, ConceptEncoder.NormalizeName(span.Concept)));
            }
            examples.Add(new Example(encoded.Ids, spans));
        }
        return examples;
    }

    /// <summary>Mean binary cross-entropy over every valid (token, concept) pair of the batch.</summary>
    internal static Tensor Loss(BidirectionalEncoder textEncoder, ConceptEncoder conceptEncoder, IReadOnlyList<Example> batch, double positiveWeight = 1.0,
        bool learnedScoreScale = true)
    {
        var concepts = batch.SelectMany(e => e.Mentions.Select(m => m.Concept)).Distinct(StringComparer.Ordinal).ToList();
        if (concepts.Count == 0) return zeros(1, requires_grad: true, device: textEncoder.Device).sum(); // nothing to contrast in this batch
        var index = concepts.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        int length = batch.Max(e => e.Ids.Length);
        var target = new float[batch.Count * length * concepts.Count];
        for (int b = 0; b < batch.Count; b++)
            foreach (var (first, end, concept) in batch[b].Mentions)
                for (int t = first; t < end; t++)
                    target[(b * length + t) * concepts.Count + index[concept]] = 1f;
        var (ids, lengths, mask) = TokenBatch.Pad(batch.Select(e => e.Ids).ToList(), textEncoder.Device);
        var features = textEncoder.forward(ids, lengths);
        var embeddings = conceptEncoder.Embed(concepts);
        var logits = learnedScoreScale ? conceptEncoder.Score(features[mask], embeddings) : ConceptEncoder.DotProduct(features[mask], embeddings);
        var targets = tensor(target, [batch.Count, length, concepts.Count], device: textEncoder.Device)[mask];
        if (positiveWeight == 1.0) return nn.functional.binary_cross_entropy_with_logits(logits, targets);
        var weight = tensor((float)positiveWeight, device: textEncoder.Device);
        return nn.functional.binary_cross_entropy_with_logits(logits, targets, pos_weights: weight);
    }
}
