namespace Megalodon.ML.Ner;

/// <summary>How <see cref="ConllReader"/> treats lines that break the format.</summary>
public sealed record ConllReaderOptions
{
    /// <summary>The strict reader: a malformed line is an error naming the file and line.</summary>
    public static ConllReaderOptions Strict { get; } = new();

    /// <summary>
    /// Repair, rather than refuse, the word fields real files get wrong: an empty word field or a word of whitespace only
    /// (a tweet's lone space, written as <c>" \tO"</c>) becomes <see cref="Placeholder"/>, and whitespace inside a word
    /// becomes <see cref="Placeholder"/> too (<c>New York</c> → <c>New_York</c>). Each such line stays one word with its
    /// label, so the token count and every gold span are unchanged. Off by default; every repair is reported.
    /// </summary>
    public bool Lenient { get; init; }

    /// <summary>What a missing word, and each run of whitespace inside a word, becomes in lenient mode.</summary>
    public string Placeholder { get; init; } = "_";

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentException">The placeholder is empty or holds whitespace.</exception>
    public ConllReaderOptions Validate()
    {
        if (string.IsNullOrEmpty(Placeholder) || Placeholder.Any(char.IsWhiteSpace))
            throw new ArgumentException($"The placeholder '{Placeholder}' must be non-empty and free of whitespace.", nameof(Placeholder));
        return this;
    }
}
