namespace Megalodon.ML.Data;

/// <summary>Settings of a <see cref="SyntheticCorpus"/>.</summary>
public sealed record SyntheticCorpusOptions
{
    /// <summary>The defaults: 256 documents, recalls 300–800 bytes after the previous mention (beyond a 256-token chunk).</summary>
    public static SyntheticCorpusOptions Default { get; } = new();

    /// <summary>Seed of every random choice; the same options give the same corpus on every machine.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Documents to generate.</summary>
    public int DocumentCount { get; init; } = 256;

    /// <summary>Lower bound of a document's target length in characters.</summary>
    public int MinDocumentLength { get; init; } = 600;

    /// <summary>
    /// Upper bound of a document's target length in characters. A document ends with the first recall that reaches its
    /// target, so it can run past this by up to <see cref="MaxRecallDistance"/> plus one sentence.
    /// </summary>
    public int MaxDocumentLength { get; init; } = 2400;

    /// <summary>Minimum characters between the end of a key's previous mention and the start of its recall.</summary>
    public int MinRecallDistance { get; init; } = 300;

    /// <summary>Maximum characters (before rounding up to whole sentences) between a key's previous mention and its recall.</summary>
    public int MaxRecallDistance { get; init; } = 800;

    /// <summary>Units per key: consonant–vowel syllables (70 choices each) or digits (10 each), by <see cref="KeyStyle"/>.</summary>
    public int KeySyllables { get; init; } = 3;

    /// <summary>What keys are made of. Digits never occur in the filler text, so a key is recognisable wherever it is seen.</summary>
    public SyntheticKeyStyle KeyStyle { get; init; } = SyntheticKeyStyle.Syllables;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DocumentCount, nameof(DocumentCount));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinDocumentLength, nameof(MinDocumentLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDocumentLength, MinDocumentLength, nameof(MaxDocumentLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinRecallDistance, nameof(MinRecallDistance));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecallDistance, MinRecallDistance, nameof(MaxRecallDistance));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(KeySyllables, nameof(KeySyllables));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(KeySyllables, 8, nameof(KeySyllables));
    }
}
