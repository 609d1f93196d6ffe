namespace Megalodon.ML.Ner;

/// <summary>The sentences of a CoNLL file and the lines the lenient reader repaired on the way.</summary>
/// <param name="Sentences">The sentences.</param>
/// <param name="Repairs">Every repaired line, in file order (empty for the strict reader or a clean file).</param>
public sealed record ConllReadResult(IReadOnlyList<NerSentence> Sentences, IReadOnlyList<ConllRepair> Repairs)
{
    /// <summary>Number of repairs of <paramref name="kind"/>.</summary>
    /// <param name="kind">The kind.</param>
    public int Count(ConllRepairKind kind) => Repairs.Count(r => r.Kind == kind);

    /// <summary>A one-line summary: counts per kind and the first line numbers, or "no repairs".</summary>
    public string Summary()
    {
        if (Repairs.Count == 0) return "no repairs";
        var parts = Enum.GetValues<ConllRepairKind>().Where(k => Count(k) > 0).Select(k =>
        {
            var lines = Repairs.Where(r => r.Kind == k).Select(r => r.Line).ToList();
            string shown = string.Join(", ", lines.Take(10)) + (lines.Count > 10 ? $", ... ({lines.Count - 10} more)" : "");
            return $"{lines.Count} {Describe(k)} (line {shown})";
        });
        return "repaired " + string.Join("; ", parts);
    }

    private static string Describe(ConllRepairKind kind) => kind switch
    {
        ConllRepairKind.EmptyWord => "empty or whitespace-only word(s)",
        ConllRepairKind.WordWithWhitespace => "word(s) holding whitespace",
        _ => kind.ToString(),
    };
}
