using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Ner;

/// <summary>
/// Maps the words of a sentence to the sub-tokens a tokenizer made of its text, through the tokens' character offsets, so word
/// labels can train a token classifier and token predictions can be read back per word.
/// </summary>
/// <remarks>
/// <para>Each token belongs to the word holding its first non-whitespace character (GPT-2's <c>' Zw'</c> belongs to the word
/// starting at <c>Z</c>); a token of whitespace only belongs to no word. A token with an empty range belongs to the word at, or
/// ending at, its position. When a character's UTF-8 bytes are split over several tokens they all get that character's range,
/// so the first of them is the word's first sub-token and the rest continue it.</para>
/// <para>Labels: a word's label goes to its <b>first sub-token</b>; its other sub-tokens, and tokens of no word, get
/// <see cref="IgnoreLabel"/> (-100, the value cross-entropy losses conventionally skip). Predictions: a word takes its first
/// sub-token's prediction.</para>
/// <para>A word can lack a token of its own: when tokens were cut off (a length limit) or when a tokenizer without
/// pre-tokenization makes one token across a space, so the word's first character lies in a token anchored in the previous
/// word. In the second case the word reads its prediction from that shared token, and gets no training label; in the first it
/// has no token at all (<see cref="WordFirstToken"/> is -1).</para>
/// </remarks>
public sealed class SubTokenAlignment
{
    /// <summary>The label of tokens that carry none (continuation sub-tokens, whitespace tokens): skipped by the loss.</summary>
    public const int IgnoreLabel = -100;

    private readonly int[] _tokenWord;
    private readonly bool[] _isFirstSubToken;
    private readonly int[] _wordFirstToken;
    private readonly int[] _wordOwnTokenCount;
    private readonly Range[] _wordRanges;

    private SubTokenAlignment(int[] tokenWord, bool[] isFirstSubToken, int[] wordFirstToken, int[] wordOwnTokenCount, Range[] wordRanges)
    {
        _tokenWord = tokenWord;
        _isFirstSubToken = isFirstSubToken;
        _wordFirstToken = wordFirstToken;
        _wordOwnTokenCount = wordOwnTokenCount;
        _wordRanges = wordRanges;
    }

    /// <summary>Number of words.</summary>
    public int WordCount => _wordFirstToken.Length;

    /// <summary>Number of tokens.</summary>
    public int TokenCount => _tokenWord.Length;

    /// <summary>For each token, the index of its word, or -1 for a token of whitespace only.</summary>
    public IReadOnlyList<int> TokenWord => _tokenWord;

    /// <summary>For each token, whether it is the first sub-token of its word (the one that carries the word's label).</summary>
    public IReadOnlyList<bool> IsFirstSubToken => _isFirstSubToken;

    /// <summary>For each word, the token its prediction is read from (its first sub-token), or -1 when no token covers it.</summary>
    public IReadOnlyList<int> WordFirstToken => _wordFirstToken;

    /// <summary>For each word, how many tokens belong to it (0 when cut off or merged into a token of the previous word).</summary>
    public IReadOnlyList<int> WordTokenCount => _wordOwnTokenCount;

    /// <summary>Each word's character range in the text.</summary>
    public IReadOnlyList<Range> WordRanges => _wordRanges;

    /// <summary>Tokenizes the words joined by single spaces (ML.NET's NER sentence) and aligns them.</summary>
    /// <param name="tokenizer">The tokenizer; it must not normalize text.</param>
    /// <param name="words">The words, each non-empty and free of whitespace.</param>
    /// <param name="maxTokens">Keep at most this many tokens; words past the cut get no token.</param>
    /// <returns>The token ids and their alignment to the words.</returns>
    /// <exception cref="ArgumentException">A word is empty or holds whitespace.</exception>
    public static (IReadOnlyList<int> TokenIds, SubTokenAlignment Alignment) Encode(ModelTokenizer tokenizer, IReadOnlyList<string> words, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        CheckWords(words);
        string text = string.Join(' ', words);
        var tokens = tokenizer.EncodeToTokens(text);
        int count = Math.Min(tokens.Count, maxTokens);
        var ids = new int[count];
        var offsets = new Range[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = tokens[i].Id;
            offsets[i] = tokens[i].Offset;
        }
        return (ids, Create(words, text, offsets));
    }

    /// <summary>Aligns words to tokens of the words joined by single spaces.</summary>
    /// <param name="words">The words, each non-empty and free of whitespace.</param>
    /// <param name="tokenOffsets">Each token's character range in the joined text.</param>
    /// <exception cref="ArgumentException">A word is empty or holds whitespace, or an offset is outside the text.</exception>
    public static SubTokenAlignment Create(IReadOnlyList<string> words, IReadOnlyList<Range> tokenOffsets)
    {
        ArgumentNullException.ThrowIfNull(words);
        CheckWords(words);
        return Create(words, string.Join(' ', words), tokenOffsets);
    }

    /// <summary>Aligns words to tokens of a text made of those words separated by whitespace (any amount).</summary>
    /// <param name="words">The words, each non-empty and free of whitespace.</param>
    /// <param name="text">The text the tokens index: the words in order, with only whitespace between, before and after them.</param>
    /// <param name="tokenOffsets">Each token's character range in <paramref name="text"/>.</param>
    /// <exception cref="ArgumentException">A word is empty or holds whitespace, the text holds something else than the words, or an offset is outside the text.</exception>
    public static SubTokenAlignment Create(IReadOnlyList<string> words, string text, IReadOnlyList<Range> tokenOffsets)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokenOffsets);
        CheckWords(words);
        var wordRanges = LocateWords(words, text);
        var charWord = new int[text.Length];
        Array.Fill(charWord, -1);
        for (int w = 0; w < wordRanges.Length; w++)
            charWord.AsSpan(wordRanges[w]).Fill(w);

        var tokenWord = new int[tokenOffsets.Count];
        var isFirst = new bool[tokenOffsets.Count];
        var wordFirstToken = new int[words.Count];
        var wordOwnTokens = new int[words.Count];
        Array.Fill(wordFirstToken, -1);
        for (int t = 0; t < tokenWord.Length; t++)
        {
            var (start, end) = Bounds(tokenOffsets[t], text.Length, t);
            int anchor = Anchor(text, start, end);
            int word = anchor < 0 ? -1 : charWord[anchor];
            tokenWord[t] = word;
            if (word < 0)
                continue;
            if (wordOwnTokens[word]++ == 0)
            {
                isFirst[t] = true;
                wordFirstToken[word] = t;
            }
        }
        // A word whose first character sits in a token anchored in an earlier word reads that token's prediction.
        for (int w = 0; w < wordFirstToken.Length; w++)
        {
            if (wordFirstToken[w] >= 0)
                continue;
            var (wordStart, wordEnd) = (wordRanges[w].Start.Value, wordRanges[w].End.Value);
            for (int t = 0; t < tokenWord.Length; t++)
            {
                var (start, end) = Bounds(tokenOffsets[t], text.Length, t);
                if (start < wordEnd && end > wordStart)
                {
                    wordFirstToken[w] = t;
                    break;
                }
            }
        }
        return new SubTokenAlignment(tokenWord, isFirst, wordFirstToken, wordOwnTokens, wordRanges);
    }

    /// <summary>
    /// Per-token training labels: each word's label on its first sub-token, <paramref name="ignoreLabel"/> on every other token.
    /// </summary>
    /// <param name="wordLabels">One label id per word.</param>
    /// <param name="ignoreLabel">The label of tokens that carry none.</param>
    /// <exception cref="ArgumentException">The number of labels differs from the number of words.</exception>
    public int[] TokenLabels(IReadOnlyList<int> wordLabels, int ignoreLabel = IgnoreLabel)
    {
        ArgumentNullException.ThrowIfNull(wordLabels);
        if (wordLabels.Count != WordCount)
            throw new ArgumentException($"Got {wordLabels.Count} word labels for {WordCount} words.", nameof(wordLabels));
        var labels = new int[TokenCount];
        for (int t = 0; t < labels.Length; t++)
            labels[t] = _isFirstSubToken[t] ? wordLabels[_tokenWord[t]] : ignoreLabel;
        return labels;
    }

    /// <summary>Per-word values read from per-token ones: each word takes its first sub-token's value.</summary>
    /// <typeparam name="T">The value type (a predicted label id, a score).</typeparam>
    /// <param name="tokenValues">One value per token.</param>
    /// <param name="missing">The value of a word no token covers (cut off by a length limit).</param>
    /// <exception cref="ArgumentException">The number of values differs from the number of tokens.</exception>
    public T[] WordValues<T>(IReadOnlyList<T> tokenValues, T missing)
    {
        ArgumentNullException.ThrowIfNull(tokenValues);
        if (tokenValues.Count != TokenCount)
            throw new ArgumentException($"Got {tokenValues.Count} token values for {TokenCount} tokens.", nameof(tokenValues));
        var values = new T[WordCount];
        for (int w = 0; w < values.Length; w++)
            values[w] = _wordFirstToken[w] < 0 ? missing : tokenValues[_wordFirstToken[w]];
        return values;
    }

    /// <summary>
    /// The tokens inside a character span of <paramref name="text"/>: those whose first non-whitespace character lies in
    /// [<paramref name="start"/>, <paramref name="end"/>). This turns character-offset annotations (concept spans) into token targets.
    /// </summary>
    /// <param name="text">The text the offsets index.</param>
    /// <param name="tokenOffsets">Each token's character range.</param>
    /// <param name="start">First character of the span.</param>
    /// <param name="end">One past the last character of the span.</param>
    /// <exception cref="ArgumentException">The span or an offset is outside the text.</exception>
    public static IReadOnlyList<int> TokensInCharSpan(string text, IReadOnlyList<Range> tokenOffsets, int start, int end)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokenOffsets);
        if (start < 0 || end > text.Length || start >= end)
            throw new ArgumentException($"The span [{start}, {end}) is empty or outside a text of {text.Length} characters.");
        var inside = new List<int>();
        for (int t = 0; t < tokenOffsets.Count; t++)
        {
            var (tokenStart, tokenEnd) = Bounds(tokenOffsets[t], text.Length, t);
            int anchor = Anchor(text, tokenStart, tokenEnd);
            if (anchor >= start && anchor < end)
                inside.Add(t);
        }
        return inside;
    }

    private static void CheckWords(IReadOnlyList<string> words)
    {
        for (int i = 0; i < words.Count; i++)
        {
            if (string.IsNullOrEmpty(words[i]) || words[i].AsSpan().IndexOfAnyExcept(WhitespaceChars.All) < 0)
                throw new ArgumentException($"Word {i} is empty or whitespace only; every word needs a visible character to align.", nameof(words));
            if (words[i].AsSpan().IndexOfAny(WhitespaceChars.All) >= 0)
                throw new ArgumentException($"Word {i} ('{words[i]}') contains whitespace; words are separated by whitespace.", nameof(words));
        }
    }

    private static Range[] LocateWords(IReadOnlyList<string> words, string text)
    {
        var ranges = new Range[words.Count];
        int position = 0;
        for (int w = 0; w < words.Count; w++)
        {
            int gap = text.AsSpan(position).IndexOfAnyExcept(WhitespaceChars.All);
            int start = gap < 0 ? text.Length : position + gap;
            if (!text.AsSpan(start).StartsWith(words[w], StringComparison.Ordinal))
                throw new ArgumentException($"Word {w} ('{words[w]}') is not next in the text at character {start}; the text must be the words separated by whitespace.", nameof(text));
            ranges[w] = new Range(start, start + words[w].Length);
            position = start + words[w].Length;
            if (w + 1 < words.Count && position < text.Length && !char.IsWhiteSpace(text[position]))
                throw new ArgumentException($"Word {w} ('{words[w]}') is followed by '{text[position]}' at character {position}, not by whitespace.", nameof(text));
        }
        if (text.AsSpan(position).IndexOfAnyExcept(WhitespaceChars.All) >= 0)
            throw new ArgumentException($"The text has more than the words after character {position}.", nameof(text));
        return ranges;
    }

    private static (int Start, int End) Bounds(Range range, int textLength, int token)
    {
        if (range.Start.IsFromEnd || range.End.IsFromEnd)
            throw new ArgumentException($"Token {token}'s offset {range} counts from the end; offsets must count from the start of the text.");
        int start = range.Start.Value, end = range.End.Value;
        if (start > end || end > textLength)
            throw new ArgumentException($"Token {token}'s offset [{start}, {end}) is outside the text of {textLength} characters.");
        return (start, end);
    }

    /// <summary>The character a token is anchored at: its first non-whitespace one, or for an empty range the character at or before it; -1 for whitespace only.</summary>
    private static int Anchor(string text, int start, int end)
    {
        if (start == end)
        {
            if (start < text.Length && !char.IsWhiteSpace(text[start]))
                return start;
            return start > 0 && !char.IsWhiteSpace(text[start - 1]) ? start - 1 : -1;
        }
        int offset = text.AsSpan(start, end - start).IndexOfAnyExcept(WhitespaceChars.All);
        return offset < 0 ? -1 : start + offset;
    }
}
