namespace Megalodon.ML.Tokenization;

/// <summary>The result of <see cref="DocumentPacker.Pack"/>.</summary>
/// <param name="Sequences">Full sequences, each exactly the requested length, in order.</param>
/// <param name="Remainder">The trailing tokens that did not fill a sequence (shorter than the length; may be empty).</param>
/// <param name="DocumentCount">Documents packed.</param>
/// <param name="DocumentTokenCount">Document tokens packed, separators not included.</param>
public sealed record PackedDocuments(IReadOnlyList<int[]> Sequences, int[] Remainder, long DocumentCount, long DocumentTokenCount)
{
    /// <summary>Separators inserted: one between each pair of consecutive documents.</summary>
    public long SeparatorCount => Math.Max(DocumentCount - 1, 0);

    /// <summary>All tokens handed out: sequences plus remainder. Equals document tokens plus separators.</summary>
    public long TotalTokenCount => Sequences.Sum(s => (long)s.Length) + Remainder.Length;
}
