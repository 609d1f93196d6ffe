namespace Megalodon.ML.Ner;

/// <summary>Scores for one entity type: entity-level (exact spans) and token-level (words, B/I ignored).</summary>
public sealed class EntityTypeMetrics
{
    internal EntityTypeMetrics(string type, int goldEntities, int predictedEntities, int correctEntities, int goldWords, int predictedWords, int correctWords)
    {
        Type = type;
        GoldEntities = goldEntities;
        PredictedEntities = predictedEntities;
        CorrectEntities = correctEntities;
        GoldWords = goldWords;
        PredictedWords = predictedWords;
        CorrectWords = correctWords;
    }

    /// <summary>The entity type.</summary>
    public string Type { get; }

    /// <summary>Entities of this type in the gold labels.</summary>
    public int GoldEntities { get; }

    /// <summary>Entities of this type in the predictions.</summary>
    public int PredictedEntities { get; }

    /// <summary>Predicted entities of this type whose span exactly matches a gold one of this type.</summary>
    public int CorrectEntities { get; }

    /// <summary>Entity-level precision: correct / predicted (0 when nothing was predicted).</summary>
    public double Precision => NerMetrics.Ratio(CorrectEntities, PredictedEntities);

    /// <summary>Entity-level recall: correct / gold (0 when there is no gold entity).</summary>
    public double Recall => NerMetrics.Ratio(CorrectEntities, GoldEntities);

    /// <summary>Entity-level F1: 2·correct / (gold + predicted).</summary>
    public double F1 => NerMetrics.Ratio(2 * CorrectEntities, GoldEntities + PredictedEntities);

    /// <summary>Words whose gold label is of this type (B- or I-).</summary>
    public int GoldWords { get; }

    /// <summary>Words whose predicted label is of this type.</summary>
    public int PredictedWords { get; }

    /// <summary>Words whose gold and predicted labels are both of this type.</summary>
    public int CorrectWords { get; }

    /// <summary>Token-level F1 of this type: 2·correct words / (gold words + predicted words).</summary>
    public double TokenF1 => NerMetrics.Ratio(2 * CorrectWords, GoldWords + PredictedWords);
}
