namespace Megalodon.ML.Ner;

/// <summary>
/// Decodes per-word label scores into the most likely <em>valid</em> BIO sequence: <c>I-X</c> only after <c>B-X</c> or
/// <c>I-X</c>, never first. A tagger that scores each word on its own can put <c>I-song</c> after <c>B-album</c>; taking
/// each word's best label and repairing afterwards splits such an entity in two, while this decoder picks the best
/// sequence among those that are whole entities (exact-span scoring counts only whole entities).
/// </summary>
/// <remarks>
/// The score of a sequence is the sum of its words' scores (log-probabilities: the product of the per-word
/// probabilities), maximised by dynamic programming over the allowed transitions in O(words × labels²). A label that is
/// not a BIO label is allowed anywhere. When the best label of every word already forms a valid sequence, that is the
/// answer, so a decoder change cannot hurt a tagger that is already consistent.
/// </remarks>
public sealed class BioViterbi
{
    private readonly bool[] _allowedFirst;
    private readonly bool[,] _allowed;

    /// <summary>A decoder for these labels.</summary>
    /// <param name="labelNames">The label of each class index (<c>O</c>, <c>B-X</c>, <c>I-X</c>).</param>
    /// <exception cref="ArgumentException">There are no labels.</exception>
    public BioViterbi(IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        if (labelNames.Count == 0) throw new ArgumentException("At least one label is needed.", nameof(labelNames));
        int n = labelNames.Count;
        var tags = labelNames.Select(l => BioTag.TryParse(l, out var tag) ? tag : (BioTag?)null).ToArray();
        _allowedFirst = new bool[n];
        _allowed = new bool[n, n];
        for (int to = 0; to < n; to++)
        {
            bool inside = tags[to] is { Prefix: BioPrefix.Inside };
            _allowedFirst[to] = !inside;
            for (int from = 0; from < n; from++)
                _allowed[from, to] = !inside || (tags[from] is { IsEntity: true } previous && previous.Type == tags[to]!.Value.Type);
        }
        LabelCount = n;
    }

    /// <summary>The number of labels (the width of each score row).</summary>
    public int LabelCount { get; }

    /// <summary>The class index of every word on the best valid path.</summary>
    /// <param name="scores">One row of <see cref="LabelCount"/> scores (log-probabilities) per word.</param>
    /// <exception cref="ArgumentException">A row has the wrong width.</exception>
    public int[] Decode(IReadOnlyList<float[]> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int words = scores.Count, n = LabelCount;
        var result = new int[words];
        if (words == 0) return result;
        for (int i = 0; i < words; i++)
            if (scores[i].Length != n) throw new ArgumentException($"Word {i} has {scores[i].Length} scores for {n} labels.", nameof(scores));
        var best = new double[n];
        var next = new double[n];
        var back = new int[words, n];
        for (int to = 0; to < n; to++) best[to] = _allowedFirst[to] ? scores[0][to] : double.NegativeInfinity;
        for (int i = 1; i < words; i++)
        {
            for (int to = 0; to < n; to++)
            {
                double top = double.NegativeInfinity;
                int from = 0;
                for (int f = 0; f < n; f++)
                    if (_allowed[f, to] && best[f] > top)
                    {
                        top = best[f];
                        from = f;
                    }
                next[to] = top + scores[i][to];
                back[i, to] = from;
            }
            (best, next) = (next, best);
        }
        int last = 0;
        for (int to = 1; to < n; to++)
            if (best[to] > best[last]) last = to;
        for (int i = words - 1; i >= 0; i--)
        {
            result[i] = last;
            if (i > 0) last = back[i, last];
        }
        return result;
    }
}
