namespace Megalodon.ML.Ner;

/// <summary>
/// Converts between per-word BIO labels and entity spans.
/// </summary>
/// <remarks>
/// <para>Decoding follows seqeval's default (non-strict) rule, which is also conlleval's, so scores match the usual tools.
/// Invalid sequences are repaired rather than rejected:</para>
/// <list type="bullet">
/// <item><c>I-X</c> after <c>O</c> or at the start of a sentence starts a new X entity, as if it were <c>B-X</c>.</item>
/// <item><c>I-Y</c> after <c>B-X</c> or <c>I-X</c> (Y ≠ X) ends the X entity and starts a new Y entity.</item>
/// <item><c>B-X</c> always starts a new entity, even right after another X entity.</item>
/// </list>
/// <para>Encoding writes strict IOB2: <c>B-</c> on every entity's first word, <c>I-</c> on the rest.</para>
/// </remarks>
public static class BioTags
{
    /// <summary>Entity spans of a label sequence, repairing invalid sequences as described on <see cref="BioTags"/>.</summary>
    /// <param name="labels">One BIO label per word.</param>
    /// <returns>The spans in word order; they never overlap.</returns>
    /// <exception cref="FormatException">A label is not <c>O</c>, <c>B-type</c> or <c>I-type</c>; the message gives its position.</exception>
    public static IReadOnlyList<EntitySpan> Decode(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var tags = new BioTag[labels.Count];
        for (int i = 0; i < tags.Length; i++)
        {
            if (!BioTag.TryParse(labels[i], out tags[i], out string? why))
                throw new FormatException($"Label {i}: {why}");
        }
        return Decode(tags);
    }

    /// <summary>Entity spans of parsed tags, with the same repair rule as <see cref="Decode(IReadOnlyList{string})"/>.</summary>
    /// <param name="tags">One tag per word.</param>
    public static IReadOnlyList<EntitySpan> Decode(IReadOnlyList<BioTag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var spans = new List<EntitySpan>();
        int start = -1;
        string? type = null;
        for (int i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            bool continues = tag.Prefix == BioPrefix.Inside && type is not null && string.Equals(tag.Type, type, StringComparison.Ordinal);
            if (continues)
                continue;
            if (type is not null)
                spans.Add(new EntitySpan(type, start, i));
            // Anything that does not continue the open entity either starts one (B-X, or a stray I-X) or is O.
            (start, type) = tag.IsEntity ? (i, tag.Type) : (-1, null);
        }
        if (type is not null)
            spans.Add(new EntitySpan(type, start, tags.Count));
        return spans;
    }

    /// <summary>IOB2 labels for a sentence of <paramref name="wordCount"/> words holding <paramref name="spans"/>.</summary>
    /// <param name="spans">Non-overlapping spans, in any order.</param>
    /// <param name="wordCount">Number of words.</param>
    /// <exception cref="ArgumentException">A span is malformed, outside the sentence, or overlaps another.</exception>
    public static string[] Encode(IEnumerable<EntitySpan> spans, int wordCount)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentOutOfRangeException.ThrowIfNegative(wordCount);
        var labels = new string[wordCount];
        Array.Fill(labels, BioTag.OutsideLabel);
        foreach (var span in spans)
        {
            span.Validate(wordCount);
            for (int i = span.Start; i < span.End; i++)
            {
                if (!ReferenceEquals(labels[i], BioTag.OutsideLabel))
                    throw new ArgumentException($"The entity span '{span.Type}' [{span.Start}, {span.End}) overlaps another span at word {i}.", nameof(spans));
                labels[i] = (i == span.Start ? "B-" : "I-") + span.Type;
            }
        }
        return labels;
    }

    /// <summary>The IOB2 sequence that decodes to the same entities: stray <c>I-</c> labels become <c>B-</c>.</summary>
    /// <param name="labels">One BIO label per word, possibly invalid.</param>
    public static string[] Repair(IReadOnlyList<string> labels) => Encode(Decode(labels), labels.Count);

    /// <summary>Whether <paramref name="labels"/> is valid IOB2: every <c>I-X</c> follows <c>B-X</c> or <c>I-X</c>.</summary>
    /// <param name="labels">One BIO label per word.</param>
    /// <exception cref="FormatException">A label is not a BIO label.</exception>
    public static bool IsValid(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var previous = BioTag.Outside;
        for (int i = 0; i < labels.Count; i++)
        {
            if (!BioTag.TryParse(labels[i], out var tag, out string? why))
                throw new FormatException($"Label {i}: {why}");
            if (tag.Prefix == BioPrefix.Inside && (!previous.IsEntity || !string.Equals(previous.Type, tag.Type, StringComparison.Ordinal)))
                return false;
            previous = tag;
        }
        return true;
    }

    /// <summary>The entity type of each word (empty for <c>O</c>), dropping the B/I distinction: the IO view that token-level scores use.</summary>
    /// <param name="labels">One BIO label per word.</param>
    /// <exception cref="FormatException">A label is not a BIO label.</exception>
    public static string[] WordTypes(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var types = new string[labels.Count];
        for (int i = 0; i < types.Length; i++)
        {
            if (!BioTag.TryParse(labels[i], out var tag, out string? why))
                throw new FormatException($"Label {i}: {why}");
            types[i] = tag.Type;
        }
        return types;
    }
}
