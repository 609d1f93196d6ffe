namespace Megalodon.ML.Data;

/// <summary>One generated document: ASCII text, its key, where the key is introduced and where it is recalled.</summary>
/// <param name="Text">The text (ASCII only).</param>
/// <param name="Key">The document's key word.</param>
/// <param name="IntroductionStart">Offset of the key in the opening sentence.</param>
/// <param name="Recalls">The recall points, in order.</param>
public sealed record SyntheticDocument(string Text, string Key, int IntroductionStart, IReadOnlyList<RecallSpan> Recalls);
