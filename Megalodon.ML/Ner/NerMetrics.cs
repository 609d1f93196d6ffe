namespace Megalodon.ML.Ner;

/// <summary>
/// NER scores over a set of sentences, computed by <see cref="NerEvaluator"/>: entity-level precision, recall and F1 with
/// exact span match (micro over all entities, and per type), and the token-level macro F1 that NuNER reports.
/// </summary>
/// <remarks>
/// A ratio with a zero denominator is 0, as seqeval reports it (so no gold and no predicted entities gives F1 0).
/// </remarks>
public sealed class NerMetrics
{
    internal NerMetrics(int sentenceCount, int wordCount, IReadOnlyList<EntityTypeMetrics> perType)
    {
        SentenceCount = sentenceCount;
        WordCount = wordCount;
        PerType = perType;
        GoldEntities = perType.Sum(t => t.GoldEntities);
        PredictedEntities = perType.Sum(t => t.PredictedEntities);
        CorrectEntities = perType.Sum(t => t.CorrectEntities);
    }

    /// <summary>Number of sentences scored.</summary>
    public int SentenceCount { get; }

    /// <summary>Number of words scored.</summary>
    public int WordCount { get; }

    /// <summary>Gold entities, all types.</summary>
    public int GoldEntities { get; }

    /// <summary>Predicted entities, all types.</summary>
    public int PredictedEntities { get; }

    /// <summary>Predicted entities that exactly match a gold entity (same type, same first and last word).</summary>
    public int CorrectEntities { get; }

    /// <summary>Micro entity-level precision: correct / predicted.</summary>
    public double Precision => Ratio(CorrectEntities, PredictedEntities);

    /// <summary>Micro entity-level recall: correct / gold.</summary>
    public double Recall => Ratio(CorrectEntities, GoldEntities);

    /// <summary>Micro entity-level F1 (seqeval's and conlleval's headline number).</summary>
    public double F1 => Ratio(2 * CorrectEntities, GoldEntities + PredictedEntities);

    /// <summary>Mean of the per-type entity-level F1 over <see cref="PerType"/>.</summary>
    public double MacroF1 => PerType.Count == 0 ? 0 : PerType.Average(t => t.F1);

    /// <summary>
    /// Token-level macro F1, NuNER's few-shot metric: every word is reduced to its entity type (B-/I- dropped, <c>O</c> is no
    /// type), a binary F1 is computed per entity type over words, and the F1s are averaged with equal weight. <c>O</c> is not a
    /// class of the average. The types averaged are those in the gold labels or the predictions (<see cref="PerType"/>), so a
    /// type that is predicted but never gold counts with F1 0.
    /// </summary>
    public double TokenMacroF1 => PerType.Count == 0 ? 0 : PerType.Average(t => t.TokenF1);

    /// <summary>Scores per entity type, in ordinal order of the type name.</summary>
    public IReadOnlyList<EntityTypeMetrics> PerType { get; }

    /// <summary>The scores of one type.</summary>
    /// <param name="type">An entity type.</param>
    /// <exception cref="KeyNotFoundException">The type occurs neither in the gold labels nor in the predictions.</exception>
    public EntityTypeMetrics ForType(string type)
        => PerType.FirstOrDefault(t => string.Equals(t.Type, type, StringComparison.Ordinal))
           ?? throw new KeyNotFoundException($"The entity type '{type}' occurs neither in the gold labels nor in the predictions; types: [{string.Join(", ", PerType.Select(t => t.Type))}].");

    /// <summary>A one-line summary: micro P/R/F1 and token macro F1, in percent.</summary>
    public override string ToString()
        => FormattableString.Invariant($"entity P {100 * Precision:F2} R {100 * Recall:F2} F1 {100 * F1:F2} (gold {GoldEntities}, predicted {PredictedEntities}, correct {CorrectEntities}); token macro F1 {100 * TokenMacroF1:F2}");

    internal static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
