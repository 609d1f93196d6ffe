namespace Megalodon.ML.Ner;

/// <summary>An entity over a run of words of one sentence.</summary>
/// <param name="Type">The entity type (the part after <c>B-</c>/<c>I-</c>).</param>
/// <param name="Start">Index of the first word.</param>
/// <param name="End">Index one past the last word (half-open, so the span holds <c>End - Start</c> words).</param>
public readonly record struct EntitySpan(string Type, int Start, int End)
{
    /// <summary>Number of words in the span.</summary>
    public int Length => End - Start;

    /// <summary>Checks that the span is well formed for a sentence of <paramref name="wordCount"/> words.</summary>
    /// <param name="wordCount">Number of words in the sentence.</param>
    /// <exception cref="ArgumentException">The type is empty, or the span is empty or outside the sentence.</exception>
    public void Validate(int wordCount)
    {
        if (string.IsNullOrWhiteSpace(Type))
            throw new ArgumentException($"The entity span [{Start}, {End}) has no type.");
        if (Start < 0 || End > wordCount || Start >= End)
            throw new ArgumentException($"The entity span '{Type}' [{Start}, {End}) is empty or outside a sentence of {wordCount} words.");
    }
}
