namespace Megalodon.ML.Ner;

/// <summary>One parsed BIO label: <c>O</c>, <c>B-type</c> or <c>I-type</c>.</summary>
/// <param name="Prefix">Outside, begin or inside.</param>
/// <param name="Type">The entity type after the dash (may itself contain dashes, e.g. <c>creative-work</c>); empty for <c>O</c>.</param>
public readonly record struct BioTag(BioPrefix Prefix, string Type)
{
    /// <summary>The label written <c>O</c>.</summary>
    public const string OutsideLabel = "O";

    /// <summary>The <c>O</c> tag.</summary>
    public static BioTag Outside { get; } = new(BioPrefix.Outside, string.Empty);

    /// <summary>Whether this tag is part of an entity (<c>B-</c> or <c>I-</c>).</summary>
    public bool IsEntity => Prefix != BioPrefix.Outside;

    /// <summary>Parses a label, rejecting anything but <c>O</c>, <c>B-type</c> and <c>I-type</c>.</summary>
    /// <param name="label">The label text, exactly (no surrounding whitespace).</param>
    /// <exception cref="FormatException">The label has another prefix (e.g. <c>E-</c>, <c>S-</c>) or an empty type.</exception>
    public static BioTag Parse(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (TryParse(label, out var tag, out string? why))
            return tag;
        throw new FormatException(why);
    }

    /// <summary>Parses a label without throwing.</summary>
    /// <param name="label">The label text.</param>
    /// <param name="tag">The parsed tag, or <see cref="Outside"/> when parsing fails.</param>
    /// <returns>True when <paramref name="label"/> is a BIO label.</returns>
    public static bool TryParse(string? label, out BioTag tag) => TryParse(label, out tag, out _);

    /// <summary>The label text: <c>O</c>, <c>B-type</c> or <c>I-type</c>.</summary>
    public override string ToString() => Prefix switch
    {
        BioPrefix.Begin => "B-" + Type,
        BioPrefix.Inside => "I-" + Type,
        _ => OutsideLabel,
    };

    internal static bool TryParse(string? label, out BioTag tag, out string? why)
    {
        tag = Outside;
        if (label is null)
        {
            why = "The label is null.";
            return false;
        }
        if (label == OutsideLabel)
        {
            why = null;
            return true;
        }
        if (label.Length >= 2 && label[1] == '-' && (label[0] == 'B' || label[0] == 'I'))
        {
            string type = label[2..];
            if (type.Length == 0 || type.Any(char.IsWhiteSpace))
            {
                why = $"The label '{label}' has an empty type or whitespace in its type.";
                return false;
            }
            tag = new BioTag(label[0] == 'B' ? BioPrefix.Begin : BioPrefix.Inside, type);
            why = null;
            return true;
        }
        why = $"Unknown label '{label}': expected 'O', 'B-<type>' or 'I-<type>' (BIO; other schemes such as BIOES are not read).";
        return false;
    }
}
