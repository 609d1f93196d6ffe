using Megalodon.ML.Ner;
using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Encoder;

/// <summary>
/// A sentence of words as the tagger reads it: the token ids of its text and, per token, the word it belongs to
/// (-1 for a token of whitespace only). A word cut off by truncation has no token.
/// </summary>
public sealed class EncodedWords
{
    private readonly int[] _wordTokenCount;

    /// <summary>Creates the sentence.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="tokenWord">Per token, its word index in [0, <paramref name="wordCount"/>) or -1.</param>
    /// <param name="wordCount">Number of words.</param>
    /// <exception cref="ArgumentException">The arrays differ in length or a word index is out of range.</exception>
    public EncodedWords(IReadOnlyList<int> ids, IReadOnlyList<int> tokenWord, int wordCount)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(tokenWord);
        ArgumentOutOfRangeException.ThrowIfNegative(wordCount);
        if (ids.Count != tokenWord.Count)
            throw new ArgumentException($"Got {ids.Count} token ids but {tokenWord.Count} token-to-word entries.", nameof(tokenWord));
        _wordTokenCount = new int[wordCount];
        foreach (int w in tokenWord)
        {
            if (w < -1 || w >= wordCount) throw new ArgumentException($"Token word index {w} is outside [-1, {wordCount}).", nameof(tokenWord));
            if (w >= 0) _wordTokenCount[w]++;
        }
        Ids = ids.ToArray();
        TokenWord = tokenWord.ToArray();
        WordCount = wordCount;
    }

    /// <summary>
    /// Encodes words joined by single spaces (ML.NET's NER sentence) with the byte-level tokenizer and aligns its tokens
    /// to the words through their character offsets (<see cref="SubTokenAlignment"/>).
    /// </summary>
    /// <param name="words">The words, each non-empty and free of whitespace.</param>
    /// <param name="maxTokens">Keep at most this many tokens; later words get none.</param>
    /// <exception cref="ArgumentException">A word is empty or holds whitespace.</exception>
    public static EncodedWords FromWords(IReadOnlyList<string> words, int maxTokens = int.MaxValue)
    {
        var (ids, alignment) = SubTokenAlignment.Encode(ByteTokenizer, words, maxTokens);
        return new EncodedWords(ids, alignment.TokenWord, alignment.WordCount);
    }

    private static readonly ModelTokenizer ByteTokenizer = ModelTokenizer.ByteLevel();

    /// <summary>Token ids.</summary>
    public int[] Ids { get; }

    /// <summary>Per token, its word or -1.</summary>
    public int[] TokenWord { get; }

    /// <summary>Number of words.</summary>
    public int WordCount { get; }

    /// <summary>Number of tokens of word <paramref name="word"/> (0 when truncated away).</summary>
    /// <param name="word">A word index.</param>
    public int WordTokenCount(int word) => _wordTokenCount[word];
}
