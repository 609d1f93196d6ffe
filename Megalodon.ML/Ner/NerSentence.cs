namespace Megalodon.ML.Ner;

/// <summary>
/// A sentence for named-entity recognition: its words and one BIO label per word (<c>O</c>, <c>B-type</c>, <c>I-type</c>).
/// </summary>
/// <remarks>
/// Words may not contain whitespace, because ML.NET's NER convention rebuilds the words by splitting
/// <see cref="Text"/> (the words joined by single spaces) on whitespace; a word holding a space would shift every later label.
/// Labels are checked for syntax only: an <c>I-X</c> without a preceding <c>B-X</c> is kept as written and repaired when
/// decoded (see <see cref="BioTags"/>), because real annotations contain such sequences and metrics must see them as they are.
/// </remarks>
public sealed class NerSentence
{
    private readonly string[] _words;
    private readonly string[] _labels;

    /// <summary>Creates a sentence, copying and checking its words and labels.</summary>
    /// <param name="words">The words, each non-empty and free of whitespace.</param>
    /// <param name="labels">One BIO label per word.</param>
    /// <exception cref="ArgumentException">The sentence is empty, the counts differ, a word is empty or holds whitespace, or a label is not BIO.</exception>
    public NerSentence(IReadOnlyList<string> words, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(labels);
        if (words.Count == 0)
            throw new ArgumentException("A sentence needs at least one word.", nameof(words));
        if (words.Count != labels.Count)
            throw new ArgumentException($"The sentence has {words.Count} words but {labels.Count} labels; each word needs exactly one label.", nameof(labels));
        _words = new string[words.Count];
        _labels = new string[labels.Count];
        for (int i = 0; i < _words.Length; i++)
        {
            string word = words[i] ?? throw new ArgumentException($"Word {i} is null.", nameof(words));
            if (word.Length == 0)
                throw new ArgumentException($"Word {i} is empty.", nameof(words));
            int space = word.AsSpan().IndexOfAny(WhitespaceChars.All);
            if (space >= 0)
                throw new ArgumentException($"Word {i} ('{word}') contains whitespace (U+{(int)word[space]:X4}); words are joined and split on whitespace.", nameof(words));
            if (!BioTag.TryParse(labels[i], out _, out string? why))
                throw new ArgumentException($"Word {i} ('{word}'): {why}", nameof(labels));
            _words[i] = word;
            _labels[i] = labels[i];
        }
        Text = string.Join(' ', _words);
    }

    /// <summary>The words.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>One BIO label per word, as given.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Number of words.</summary>
    public int Count => _words.Length;

    /// <summary>The words joined by single spaces: the sentence text in ML.NET's NER convention.</summary>
    public string Text { get; }

    /// <summary>The entities, decoded with the repair rule of <see cref="BioTags.Decode(IReadOnlyList{string})"/>.</summary>
    public IReadOnlyList<EntitySpan> Entities() => BioTags.Decode(_labels);

    /// <summary>The character range of each word in <see cref="Text"/> (start inclusive, end exclusive).</summary>
    public IReadOnlyList<Range> WordRanges()
    {
        var ranges = new Range[_words.Length];
        int position = 0;
        for (int i = 0; i < _words.Length; i++)
        {
            ranges[i] = new Range(position, position + _words[i].Length);
            position += _words[i].Length + 1;
        }
        return ranges;
    }

    /// <summary>The words, each followed by its label in brackets, for messages and debugging.</summary>
    public override string ToString() => string.Join(' ', _words.Zip(_labels, (w, l) => $"{w}[{l}]"));
}
