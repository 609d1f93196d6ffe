namespace Megalodon.ML.Ner;

/// <summary>
/// A sentence with concept annotations on character spans: the input of concept-contrastive (NuNER) pretraining.
/// </summary>
/// <remarks>Spans may overlap and may share a concept; a character can belong to several concepts, as in NuNER's data.</remarks>
public sealed class ConceptAnnotatedSentence
{
    private readonly ConceptSpan[] _entities;

    /// <summary>Creates an annotated sentence, checking every span against the text.</summary>
    /// <param name="text">The sentence text; not empty or whitespace only.</param>
    /// <param name="entities">The annotated spans, in any order (kept as given).</param>
    /// <exception cref="ArgumentException">The text is empty, or a span is empty, outside the text, splits a surrogate pair, or has no concept.</exception>
    public ConceptAnnotatedSentence(string text, IEnumerable<ConceptSpan> entities)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(entities);
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException("The sentence text is empty or whitespace only.", nameof(text));
        _entities = entities.ToArray();
        for (int i = 0; i < _entities.Length; i++)
        {
            var span = _entities[i] ?? throw new ArgumentException($"Entity {i} is null.", nameof(entities));
            if (span.Start < 0 || span.End > text.Length)
                throw new ArgumentException($"Entity {i} ('{span.Concept}') spans [{span.Start}, {span.End}), outside the text of {text.Length} characters.", nameof(entities));
            if (span.Start >= span.End)
                throw new ArgumentException($"Entity {i} ('{span.Concept}') has start {span.Start} >= end {span.End}; a span needs at least one character.", nameof(entities));
            if (SplitsSurrogatePair(text, span.Start) || SplitsSurrogatePair(text, span.End))
                throw new ArgumentException($"Entity {i} ('{span.Concept}') [{span.Start}, {span.End}) cuts a character in half (a surrogate pair); offsets count UTF-16 code units.", nameof(entities));
            if (string.IsNullOrWhiteSpace(span.Concept))
                throw new ArgumentException($"Entity {i} [{span.Start}, {span.End}) has an empty concept.", nameof(entities));
        }
        Text = text;
    }

    /// <summary>The sentence text.</summary>
    public string Text { get; }

    /// <summary>The annotated spans.</summary>
    public IReadOnlyList<ConceptSpan> Entities => _entities;

    /// <summary>
    /// The concept annotation of a BIO sentence: the words joined by single spaces, and one span per entity whose concept is the
    /// entity type made readable (<see cref="ConceptNames.Readable(string)"/>: <c>musicalartist</c> becomes <c>musical artist</c>).
    /// </summary>
    /// <param name="sentence">The labelled sentence; invalid BIO is repaired as <see cref="BioTags"/> describes.</param>
    /// <param name="conceptName">Maps an entity type to its concept name; null for <see cref="ConceptNames.Readable(string)"/>.</param>
    public static ConceptAnnotatedSentence FromNerSentence(NerSentence sentence, Func<string, string>? conceptName = null)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        conceptName ??= ConceptNames.Readable;
        var words = sentence.WordRanges();
        var spans = sentence.Entities().Select(e => new ConceptSpan(words[e.Start].Start.Value, words[e.End - 1].End.Value, conceptName(e.Type)));
        return new ConceptAnnotatedSentence(sentence.Text, spans);
    }

    /// <summary>The text of a span.</summary>
    /// <param name="span">One of <see cref="Entities"/> (or any span inside the text).</param>
    public string SpanText(ConceptSpan span)
    {
        ArgumentNullException.ThrowIfNull(span);
        return Text[span.Start..span.End];
    }

    private static bool SplitsSurrogatePair(string text, int index)
        => index > 0 && index < text.Length && char.IsHighSurrogate(text[index - 1]) && char.IsLowSurrogate(text[index]);
}
