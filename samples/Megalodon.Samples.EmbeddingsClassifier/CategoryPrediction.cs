namespace Megalodon.Samples.EmbeddingsClassifier;

/// <summary>The pipeline's answer for one sentence.</summary>
public sealed class CategoryPrediction
{
    /// <summary>The predicted topic.</summary>
    public string PredictedCategory { get; set; } = "";

    /// <summary>The probability of each topic, in the label key order.</summary>
    public float[] Score { get; set; } = [];
}
