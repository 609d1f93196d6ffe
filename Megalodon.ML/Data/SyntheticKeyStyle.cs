namespace Megalodon.ML.Data;

/// <summary>What the keys of a <see cref="SyntheticCorpus"/> are made of.</summary>
public enum SyntheticKeyStyle
{
    /// <summary>Consonant–vowel syllables with a capital first letter (for example <c>Bakoru</c>): letters the filler uses too.</summary>
    Syllables,
    /// <summary>Digits (for example <c>4071</c>): symbols the filler never uses, so the key stands out wherever it appears.</summary>
    Digits,
}
