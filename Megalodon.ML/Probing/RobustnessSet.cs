namespace Megalodon.ML.Probing;

/// <summary>
/// Builds a robustness probing set with the paper's construction: every source sentence appears twice, once as it is
/// (label false) and once with random-case typos (<see cref="RandomCasePerturbation"/>, label true). Both copies share
/// a group, so a grouped split keeps them on one side. The rows come in a seeded random order; the whole set is a
/// function of the sentences, the rate and the seed.
/// </summary>
public static class RobustnessSet
{
    /// <summary>Builds the set.</summary>
    /// <param name="sentences">Source sentences (duplicates and sentences without a cased letter are skipped).</param>
    /// <param name="seed">Seed of the perturbations and of the row order.</param>
    /// <param name="rate">Flip probability per letter.</param>
    /// <returns>Two rows per kept sentence, group <c>s{index}</c> by the sentence's position among those kept.</returns>
    public static IReadOnlyList<GroupedLabelledText> Build(IEnumerable<string> sentences, int seed, double rate = RandomCasePerturbation.DefaultRate)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var random = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<GroupedLabelledText>();
        foreach (var raw in sentences)
        {
            var sentence = raw.Trim();
            if (!sentence.Any(c => char.IsUpper(c) || char.IsLower(c)) || !seen.Add(sentence)) continue;
            string group = $"s{seen.Count - 1}";
            rows.Add(new GroupedLabelledText(sentence, false, group));
            rows.Add(new GroupedLabelledText(RandomCasePerturbation.Apply(sentence, rate, random), true, group));
        }
        var ordered = rows.ToArray();
        random.Shuffle(ordered);
        return ordered;
    }
}
