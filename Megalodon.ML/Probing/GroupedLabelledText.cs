namespace Megalodon.ML.Probing;

/// <summary>A labelled text and the group it must stay with when the rows are split (see <see cref="GroupedSplit"/>).</summary>
/// <param name="Text">The text.</param>
/// <param name="Label">Its binary label.</param>
/// <param name="Group">Rows with the same group go to the same side of a split.</param>
public sealed record GroupedLabelledText(string Text, bool Label, string Group);
