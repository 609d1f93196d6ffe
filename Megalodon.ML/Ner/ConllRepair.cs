namespace Megalodon.ML.Ner;

/// <summary>One line the lenient CoNLL reader repaired.</summary>
/// <param name="Line">The 1-based line number.</param>
/// <param name="Kind">What was wrong.</param>
/// <param name="OriginalWord">The word field as found.</param>
/// <param name="Word">The word as read.</param>
public sealed record ConllRepair(int Line, ConllRepairKind Kind, string OriginalWord, string Word);
