using System.Text;

namespace Megalodon.ML.Encoder;

/// <summary>
/// Cuts a sentence longer than the encoder's token limit into windows of whole words, so every word is read by the
/// encoder: overlapping windows for prediction (each word takes its label from the window where it sits furthest from
/// an edge), consecutive ones for training.
/// </summary>
/// <remarks>
/// A window is measured in byte tokens as <see cref="EncodedWords.FromWords"/> makes them: a word's UTF-8 bytes plus one
/// space between words. A single word longer than the limit is a window of its own, truncated to the limit, so it still
/// gets a real prediction from its first bytes.
/// </remarks>
public static class WordWindows
{
    /// <summary>Share of a window's words (at least two) that the next prediction window re-reads, so no kept word sits right at an edge.</summary>
    public const double PredictionOverlap = 0.25;

    /// <summary>
    /// Prediction windows over <paramref name="words"/>: ranges of words of at most <paramref name="maxTokens"/> tokens,
    /// overlapping, each with the part whose labels it supplies; the kept parts tile the sentence in order.
    /// </summary>
    /// <param name="words">The sentence's words.</param>
    /// <param name="maxTokens">The encoder's token limit (at least 1).</param>
    public static IReadOnlyList<WordWindow> ForPrediction(IReadOnlyList<string> words, int maxTokens) => Plan(words, maxTokens, PredictionOverlap);

    /// <summary>Training windows over <paramref name="words"/>: consecutive, non-overlapping ranges of at most <paramref name="maxTokens"/> tokens.</summary>
    /// <param name="words">The sentence's words.</param>
    /// <param name="maxTokens">The encoder's token limit (at least 1).</param>
    public static IReadOnlyList<WordWindow> ForTraining(IReadOnlyList<string> words, int maxTokens) => Plan(words, maxTokens, 0);

    /// <summary>A labelled sentence as encoder inputs: one piece per training window, each with its words' labels.</summary>
    /// <param name="words">The words.</param>
    /// <param name="labels">One label per word.</param>
    /// <param name="maxTokens">The encoder's token limit.</param>
    /// <exception cref="ArgumentException">The label count differs from the word count, or a word is empty or holds whitespace.</exception>
    public static IEnumerable<(EncodedWords Words, int[] Labels)> TrainingPieces(IReadOnlyList<string> words, IReadOnlyList<int> labels, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(labels);
        if (words.Count != labels.Count) throw new ArgumentException($"Got {words.Count} words but {labels.Count} labels.", nameof(labels));
        foreach (var window in ForTraining(words, maxTokens))
            yield return (EncodedWords.FromWords(Slice(words, window.Start, window.End), maxTokens), Slice(labels, window.Start, window.End).ToArray());
    }

    /// <summary>
    /// The most likely class of every word of every sentence, however long: sentences over the limit are read in
    /// overlapping windows (all windows of all sentences batched together), so no word goes without a prediction.
    /// </summary>
    /// <param name="classifier">The tagger.</param>
    /// <param name="sentences">Each sentence's words (an empty sentence gives an empty result).</param>
    /// <param name="maxTokens">The encoder's token limit.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    /// <exception cref="ArgumentException">A word is empty or holds whitespace.</exception>
    public static int[][] Predict(TokenClassifier classifier, IReadOnlyList<IReadOnlyList<string>> sentences, int maxTokens, int batchSize = 32) =>
        LogProbabilities(classifier, sentences, maxTokens, batchSize).Select(words => words.Select(TokenClassifier.ArgMax).ToArray()).ToArray();

    /// <summary>
    /// The class log-probabilities of every word of every sentence, however long, read in windows as
    /// <see cref="Predict"/> does (each word's row comes from the window where it sits furthest from an edge).
    /// </summary>
    /// <param name="classifier">The tagger.</param>
    /// <param name="sentences">Each sentence's words (an empty sentence gives an empty result).</param>
    /// <param name="maxTokens">The encoder's token limit.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    /// <returns>Per sentence, per word, one value per class.</returns>
    /// <exception cref="ArgumentException">A word is empty or holds whitespace.</exception>
    public static float[][][] LogProbabilities(TokenClassifier classifier, IReadOnlyList<IReadOnlyList<string>> sentences, int maxTokens, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(sentences);
        var pieces = new List<EncodedWords>();
        var plans = new List<(int Sentence, WordWindow Window, int Piece)>();
        for (int s = 0; s < sentences.Count; s++)
            foreach (var window in ForPrediction(sentences[s], maxTokens))
            {
                plans.Add((s, window, pieces.Count));
                pieces.Add(EncodedWords.FromWords(Slice(sentences[s], window.Start, window.End), maxTokens));
            }
        var predicted = classifier.LogProbabilities(pieces, batchSize);
        var result = sentences.Select(words => new float[words.Count][]).ToArray();
        foreach (var (s, window, piece) in plans)
            for (int w = window.KeepStart; w < window.KeepEnd; w++)
                result[s][w] = predicted[piece][w - window.Start];
        return result;
    }

    /// <summary>Tokens word <paramref name="index"/> adds to a window that already holds a word: its bytes and the space before it.</summary>
    private static int Cost(IReadOnlyList<string> words, int index, bool first) =>
        Encoding.UTF8.GetByteCount(words[index]) + (first ? 0 : 1);

    private static IReadOnlyList<WordWindow> Plan(IReadOnlyList<string> words, int maxTokens, double overlap)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        if (words.Count == 0) return [];
        var spans = new List<(int Start, int End)>();
        int start = 0;
        while (true)
        {
            int end = start + 1, tokens = Cost(words, start, first: true);
            while (end < words.Count && tokens + Cost(words, end, first: false) <= maxTokens)
                tokens += Cost(words, end++, first: false);
            spans.Add((start, end));
            if (end == words.Count) break;
            // Step back by the overlap (at least two words, so the boundary word of each side has a neighbour inside its window),
            // but always move forward by at least one word.
            int back = overlap > 0 ? Math.Min(end - start - 1, Math.Max(2, (int)Math.Floor((end - start) * overlap))) : 0;
            start = Math.Max(start + 1, end - back);
        }
        var windows = new WordWindow[spans.Count];
        int keepStart = 0;
        for (int i = 0; i < spans.Count; i++)
        {
            // Where two windows overlap, the boundary is the overlap's middle: each side keeps the half away from its own edge.
            int keepEnd = i + 1 < spans.Count ? (spans[i + 1].Start + spans[i].End + 1) / 2 : words.Count;
            keepEnd = Math.Max(keepEnd, keepStart);
            windows[i] = new WordWindow(spans[i].Start, spans[i].End, keepStart, keepEnd);
            keepStart = keepEnd;
        }
        return windows;
    }

    private static IReadOnlyList<T> Slice<T>(IReadOnlyList<T> items, int start, int end) =>
        start == 0 && end == items.Count ? items : items.Skip(start).Take(end - start).ToArray();
}
