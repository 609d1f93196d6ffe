namespace Megalodon.ML.Encoder;

/// <summary>A concept annotated on a character span of a text, as the concept-contrastive trainer reads it.</summary>
/// <param name="Start">First character of the mention.</param>
/// <param name="End">One past its last character.</param>
/// <param name="Concept">The concept's name.</param>
public readonly record struct ConceptMention(int Start, int End, string Concept);
