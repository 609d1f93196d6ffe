using System.Diagnostics;
using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// Masked-language-model pretraining of a <see cref="BidirectionalEncoder"/> on plain text, with whole-word masking:
/// a chosen word has all its bytes replaced by <see cref="EncoderVocabulary.MaskId"/> (80%), by random bytes (10%) or
/// left as is (10%), and the encoder's features predict the original bytes through a linear head that is discarded
/// afterwards.
/// </summary>
/// <remarks>Whole words rather than single bytes: a lone masked byte is usually given away by its neighbours in the same word.</remarks>
public static class MaskedLanguageModelTrainer
{
    /// <summary>Trains <paramref name="encoder"/> in place.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="texts">Training texts; long ones are cut into pieces of at most <see cref="EncoderTrainingSettings.MaxTokens"/> tokens.</param>
    /// <param name="settings">Budget and hyper-parameters.</param>
    /// <param name="maskRate">Share of words chosen for prediction, in (0, 1).</param>
    /// <param name="progress">Optional per-step reports.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <param name="checkpoints">Optional checkpoints (encoder, MLM head, optimizer) and resume from the latest one.</param>
    /// <exception cref="ArgumentException">No text holds a word.</exception>
    public static EncoderTrainingResult Train(BidirectionalEncoder encoder, IEnumerable<string> texts, EncoderTrainingSettings settings,
        double maskRate = 0.15, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default,
        EncoderCheckpointSettings? checkpoints = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(texts);
        settings.Validate();
        if (!(maskRate > 0 && maskRate < 1)) throw new ArgumentOutOfRangeException(nameof(maskRate), maskRate, "The mask rate must be in (0, 1).");
        var pieces = Pieces(texts, settings.MaxTokens);
        if (pieces.Count == 0) throw new ArgumentException("No training text holds a word.", nameof(texts));

        // Borrows the global generator (dropout, module construction) for the run and restores it after.
        using var seeded = Runtime.GlobalRandomScope.Seeded(settings.Seed);
        using var head = nn.Linear(encoder.FeatureDim, EncoderVocabulary.Size);
        head.to(encoder.Device);
        var random = new Random(settings.Seed);
        var order = new BatchOrder(pieces.Count, random);
        var clock = Stopwatch.StartNew();
        encoder.train();
        using var optimizer = new EncoderOptimizer(encoder.parameters().Concat(head.parameters()), settings, progress);
        (string, nn.Module)[] modules = [("encoder", encoder), ("head", head)];
        int first = checkpoints?.Validate() is { Resume: true } c ? EncoderCheckpoints.Resume(c, CheckpointKind, modules, optimizer) : 0;
        // Replay the data order and the masking draws of the steps already done, so a resumed run sees what an unbroken one would.
        for (int step = 0; step < first; step++)
            Mask(order.Next(settings.BatchSize).Select(i => pieces[i]).ToList(), maskRate, random);
        long tokens = 0;
        for (int step = first; step < settings.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = order.Next(settings.BatchSize).Select(i => pieces[i]).ToList();
            var (inputs, targets) = Mask(batch, maskRate, random);
            var (ids, lengths, _) = TokenBatch.Pad(inputs, encoder.Device);
            var (targetIds, _, _) = TokenBatch.Pad(targets, encoder.Device);
            var features = encoder.forward(ids, lengths);
            var chosen = targetIds.ne(IgnoredTarget) & targetIds.ne(EncoderVocabulary.PadId);
            var logits = head.forward(features[chosen]);
            var loss = nn.functional.cross_entropy(logits, targetIds[chosen]);
            long batchTokens = batch.Sum(p => (long)p.Length);
            tokens += batchTokens;
            optimizer.Update(loss, batchTokens);
            if (checkpoints is not null && (optimizer.Step % checkpoints.Interval == 0 || optimizer.Step == settings.Steps))
                EncoderCheckpoints.Save(checkpoints, CheckpointKind, optimizer.Step, modules, optimizer);
        }
        encoder.eval();
        return new EncoderTrainingResult(optimizer.Losses.ToArray(), clock.Elapsed, tokens);
    }

    private const string CheckpointKind = "masked-language-model";

    /// <summary>Target id of positions that are not predicted.</summary>
    private const int IgnoredTarget = -100;

    /// <summary>Texts cut into pieces of at most <paramref name="maxTokens"/> ids, preferably at a space; pieces without a word are dropped.</summary>
    internal static List<int[]> Pieces(IEnumerable<string> texts, int maxTokens)
    {
        var result = new List<int[]>();
        foreach (var text in texts)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var ids = EncodedText.Encode(text.Trim()).Ids;
            int start = 0;
            while (start < ids.Length)
            {
                int end = Math.Min(ids.Length, start + maxTokens);
                if (end < ids.Length)
                {
                    int space = Array.LastIndexOf(ids, (int)' ', end - 1, end - start);
                    if (space > start + maxTokens / 2) end = space;
                }
                var piece = ids[start..end];
                if (piece.Any(id => !IsSpace(id))) result.Add(piece);
                start = end;
                while (start < ids.Length && IsSpace(ids[start])) start++;
            }
        }
        return result;
    }

    /// <summary>Whole-word masking of each piece: the inputs, and the targets (original ids where predicted, else ignored).</summary>
    internal static (List<int[]> Inputs, List<int[]> Targets) Mask(IReadOnlyList<int[]> pieces, double maskRate, Random random)
    {
        var inputs = new List<int[]>(pieces.Count);
        var targets = new List<int[]>(pieces.Count);
        foreach (var piece in pieces)
        {
            var input = (int[])piece.Clone();
            var target = new int[piece.Length];
            Array.Fill(target, IgnoredTarget);
            var words = Words(piece);
            var chosen = words.Where(_ => random.NextDouble() < maskRate).ToList();
            if (chosen.Count == 0) chosen.Add(words[random.Next(words.Count)]); // every piece teaches something
            foreach (var (start, length) in chosen)
            {
                double mode = random.NextDouble();
                for (int i = start; i < start + length; i++)
                {
                    target[i] = piece[i];
                    if (mode < 0.8) input[i] = EncoderVocabulary.MaskId;
                    else if (mode < 0.9) input[i] = random.Next(33, 127); // a printable byte
                }
            }
            inputs.Add(input);
            targets.Add(target);
        }
        return (inputs, targets);
    }

    /// <summary>Maximal runs of non-space ids as (start, length).</summary>
    internal static List<(int Start, int Length)> Words(int[] ids)
    {
        var words = new List<(int, int)>();
        int i = 0;
        while (i < ids.Length)
        {
            while (i < ids.Length && IsSpace(ids[i])) i++;
            int start = i;
            while (i < ids.Length && !IsSpace(ids[i])) i++;
            if (i > start) words.Add((start, i - start));
        }
        return words;
    }

    private static bool IsSpace(int id) => id is ' ' or '\t' or '\n' or '\r';
}
