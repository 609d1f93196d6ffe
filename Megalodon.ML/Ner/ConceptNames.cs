using System.Text;

namespace Megalodon.ML.Ner;

/// <summary>Turns dataset entity-type names into readable concept names for a concept encoder.</summary>
public static class ConceptNames
{
    // Types of CrossNER (all five domains), WNUT-17 and CoNLL-2003 whose names are glued words or abbreviations.
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["musicalartist"] = "musical artist",
        ["musicalinstrument"] = "musical instrument",
        ["musicgenre"] = "music genre",
        ["literarygenre"] = "literary genre",
        ["programlang"] = "programming language",
        ["politicalparty"] = "political party",
        ["chemicalelement"] = "chemical element",
        ["chemicalcompound"] = "chemical compound",
        ["astronomicalobject"] = "astronomical object",
        ["academicjournal"] = "academic journal",
        ["metrics"] = "metric",
        ["field"] = "academic field",
        ["misc"] = "miscellaneous",
        ["per"] = "person",
        ["loc"] = "location",
        ["org"] = "organization",
    };

    /// <summary>
    /// A readable concept name for an entity type: known glued names and abbreviations are spelled out
    /// (<c>musicalartist</c> → <c>musical artist</c>, <c>programlang</c> → <c>programming language</c>, <c>misc</c> →
    /// <c>miscellaneous</c>); otherwise dashes and underscores become spaces, camel case is split, and the result is lower case
    /// (<c>creative-work</c> → <c>creative work</c>, <c>SportsTeam</c> → <c>sports team</c>).
    /// </summary>
    /// <param name="entityType">The type name from the data (the part after <c>B-</c>/<c>I-</c>).</param>
    /// <exception cref="ArgumentException">The type is empty or whitespace.</exception>
    public static string Readable(string entityType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityType);
        if (Known.TryGetValue(entityType, out string? known))
            return known;
        var name = new StringBuilder(entityType.Length + 4);
        for (int i = 0; i < entityType.Length; i++)
        {
            char c = entityType[i];
            if (c is '-' or '_' || char.IsWhiteSpace(c))
            {
                if (name.Length > 0 && name[^1] != ' ')
                    name.Append(' ');
                continue;
            }
            // A lower-to-upper step starts a word (camel case); runs of capitals such as "GPE" stay one word.
            if (char.IsUpper(c) && i > 0 && char.IsLower(entityType[i - 1]) && name.Length > 0 && name[^1] != ' ')
                name.Append(' ');
            name.Append(char.ToLowerInvariant(c));
        }
        string readable = name.ToString().Trim();
        return readable.Length > 0 ? readable : throw new ArgumentException($"The entity type '{entityType}' has no letters or digits to name a concept.", nameof(entityType));
    }
}
