namespace Megalodon.ML.Ner;

/// <summary>
/// The concept names that count as the same concept as an entity type: the type's readable name and its obvious synonyms
/// (and, for a few types, the hypernym that another data set uses for them). A concept corpus that claims to hold a target
/// data set's types out must drop all of them, not only the exact names.
/// </summary>
public static class ConceptSynonyms
{
    // Each group is one concept under its usual names; a type's exclusion set is the union of the groups that hold its
    // readable name. "creative work" is WNUT-17's type for songs, albums, films and books, so it goes with song and album.
    private static readonly string[][] Groups =
    [
        ["person", "people", "per", "human"],
        ["location", "loc", "place"],
        ["organisation", "organization", "org", "corporation", "company", "institution", "group"],
        ["band", "group", "musical group", "music group"],
        ["country", "nation"],
        ["miscellaneous", "misc", "other"],
        ["event"],
        ["award", "prize"],
        ["musical artist", "musician", "artist", "singer"],
        ["music genre", "musical genre", "genre"],
        ["album", "record", "creative work"],
        ["song", "single", "track", "creative work"],
        ["musical instrument", "instrument"],
        ["product"],
        ["writer", "author"],
        ["book", "novel"],
        ["researcher", "scientist"],
        ["university"],
        ["programming language"],
        ["algorithm"],
        ["metric", "metrics"],
        ["academic field", "field"],
        ["conference"],
        ["task"],
        ["literary genre"],
        ["poem"],
        ["magazine"],
    ];

    /// <summary>
    /// The concept names (lower case, as <see cref="Megalodon.ML.Encoder.ConceptEncoder.NormalizeName"/> compares them) to keep out of a
    /// concept corpus for the given entity types: each type's readable name (<see cref="ConceptNames.Readable"/>) and every
    /// name that shares a synonym group with it.
    /// </summary>
    /// <param name="entityTypes">Entity types of the held-out data, as in its labels (<c>musicalartist</c>, <c>creative-work</c>, ...).</param>
    public static SortedSet<string> Of(IEnumerable<string> entityTypes)
    {
        ArgumentNullException.ThrowIfNull(entityTypes);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string type in entityTypes)
        {
            string readable = ConceptNames.Readable(type).ToLowerInvariant();
            names.Add(readable);
            foreach (var group in Groups)
                if (group.Contains(readable, StringComparer.Ordinal))
                    names.UnionWith(group);
        }
        return names;
    }
}
