namespace Megalodon.ML.Encoder;

/// <summary>
/// A sentence of words as the tagger reads it: the token ids of the words joined by single spaces, and per word the
/// tokens that belong to it (a word cut off by truncation has none).
/// </summary>
/// <param name="Ids">Token ids.</param>
/// <param name="WordStarts">Per word, its first token.</param>
/// <param name="WordLengths">Per word, its number of tokens (0 when truncated away).</param>
public sealed record EncodedWords(int[] Ids, int[] WordStarts, int[] WordLengths)
{
    /// <summary>Number of words.</summary>
    public int WordCount => WordStarts.Length;
}
