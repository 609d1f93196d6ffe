namespace Megalodon.ML.Probing;

/// <summary>Which positions of a text a layer activation is read from.</summary>
public enum ActivationPosition
{
    /// <summary>The last token of the text, as the TracingLLM probes do.</summary>
    Last = 0,

    /// <summary>The mean over the text's tokens.</summary>
    Mean = 1,
}
