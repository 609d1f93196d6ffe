namespace Megalodon.ML.Ner;

/// <summary>A concept annotated on a run of characters of a sentence's text.</summary>
/// <param name="Start">Index of the first character (UTF-16 code units, as <see cref="string"/> indexes).</param>
/// <param name="End">Index one past the last character.</param>
/// <param name="Concept">The free-form concept name, e.g. <c>musical artist</c>.</param>
/// <param name="Description">An optional short description that disambiguates the concept name.</param>
public sealed record ConceptSpan(int Start, int End, string Concept, string? Description = null)
{
    /// <summary>Number of characters in the span.</summary>
    public int Length => End - Start;
}
