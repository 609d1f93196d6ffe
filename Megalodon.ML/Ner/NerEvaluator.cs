namespace Megalodon.ML.Ner;

/// <summary>
/// Accumulates gold and predicted BIO labels sentence by sentence and computes <see cref="NerMetrics"/>.
/// </summary>
/// <remarks>
/// Both sides are decoded into entities with the same repair rule (<see cref="BioTags"/>, seqeval's default), so a stray
/// <c>I-X</c> counts as an entity on either side. An entity is correct when a gold entity has the same type, first word and last
/// word. Token-level counts use the words' types with B/I ignored (see <see cref="NerMetrics.TokenMacroF1"/>).
/// </remarks>
public sealed class NerEvaluator
{
    private readonly Dictionary<string, int[]> _counts = new(StringComparer.Ordinal);
    private int _sentences;
    private int _words;

    // Counter slots per type.
    private const int GoldEntity = 0, PredictedEntity = 1, CorrectEntity = 2, GoldWord = 3, PredictedWord = 4, CorrectWord = 5;

    /// <summary>Scores predictions against gold sentences in one call.</summary>
    /// <param name="gold">The gold sentences.</param>
    /// <param name="predicted">One predicted label sequence per sentence, as long as the sentence.</param>
    /// <exception cref="ArgumentException">The counts differ, or a prediction's length differs from its sentence's.</exception>
    /// <exception cref="FormatException">A predicted label is not BIO.</exception>
    public static NerMetrics Evaluate(IReadOnlyList<NerSentence> gold, IReadOnlyList<IReadOnlyList<string>> predicted)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"Got {predicted.Count} predicted sentences for {gold.Count} gold sentences.", nameof(predicted));
        var evaluator = new NerEvaluator();
        for (int i = 0; i < gold.Count; i++)
            evaluator.Add(gold[i].Labels, predicted[i]);
        return evaluator.Compute();
    }

    /// <summary>Adds one sentence.</summary>
    /// <param name="gold">The gold labels.</param>
    /// <param name="predicted">The predicted labels, one per word.</param>
    /// <exception cref="ArgumentException">The lengths differ; the message gives the sentence's index among those added.</exception>
    /// <exception cref="FormatException">A label is not BIO.</exception>
    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"Sentence {_sentences} has {gold.Count} gold labels but {predicted.Count} predicted labels.", nameof(predicted));
        var goldSpans = BioTags.Decode(gold);
        var predictedSpans = BioTags.Decode(predicted);
        var goldSet = new HashSet<EntitySpan>(goldSpans);
        foreach (var span in goldSpans)
            Counts(span.Type)[GoldEntity]++;
        foreach (var span in predictedSpans)
        {
            var counts = Counts(span.Type);
            counts[PredictedEntity]++;
            if (goldSet.Contains(span))
                counts[CorrectEntity]++;
        }
        var goldTypes = BioTags.WordTypes(gold);
        var predictedTypes = BioTags.WordTypes(predicted);
        for (int i = 0; i < goldTypes.Length; i++)
        {
            if (goldTypes[i].Length > 0)
                Counts(goldTypes[i])[GoldWord]++;
            if (predictedTypes[i].Length > 0)
            {
                var counts = Counts(predictedTypes[i]);
                counts[PredictedWord]++;
                if (string.Equals(goldTypes[i], predictedTypes[i], StringComparison.Ordinal))
                    counts[CorrectWord]++;
            }
        }
        _sentences++;
        _words += gold.Count;
    }

    /// <summary>The scores of everything added so far.</summary>
    public NerMetrics Compute()
    {
        var perType = _counts.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new EntityTypeMetrics(p.Key, p.Value[GoldEntity], p.Value[PredictedEntity], p.Value[CorrectEntity], p.Value[GoldWord], p.Value[PredictedWord], p.Value[CorrectWord]))
            .ToArray();
        return new NerMetrics(_sentences, _words, perType);
    }

    private int[] Counts(string type)
    {
        if (!_counts.TryGetValue(type, out var counts))
            _counts[type] = counts = new int[6];
        return counts;
    }
}
