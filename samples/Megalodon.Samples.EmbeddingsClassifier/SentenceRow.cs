namespace Megalodon.Samples.EmbeddingsClassifier;

/// <summary>One labelled sentence: the input row of the pipeline.</summary>
public sealed class SentenceRow
{
    /// <summary>The sentence.</summary>
    public string Text { get; set; } = "";

    /// <summary>Its topic: weather, cooking or sport (empty when predicting).</summary>
    public string Category { get; set; } = "";
}
