namespace Megalodon.ML.Encoder;

/// <summary>A window of words [<paramref name="Start"/>, <paramref name="End"/>) and the words [<paramref name="KeepStart"/>, <paramref name="KeepEnd"/>) whose labels it supplies.</summary>
/// <param name="Start">First word read.</param>
/// <param name="End">One past the last word read.</param>
/// <param name="KeepStart">First word whose prediction is taken from this window.</param>
/// <param name="KeepEnd">One past the last such word.</param>
public readonly record struct WordWindow(int Start, int End, int KeepStart, int KeepEnd);
