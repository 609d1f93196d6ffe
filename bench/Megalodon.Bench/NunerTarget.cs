using Megalodon.ML.Ner;

namespace Megalodon.Bench;

/// <summary>
/// The held-out target of the issue-18 experiment: its few-shot pool, dev and test splits, its entity types, and the
/// concept-corpus sources that leave it out (no sentence of it, and WNUT-17 only when WNUT-17 is not the target).
/// </summary>
internal sealed record NunerTarget(string Name, IReadOnlyList<NerSentence> Pool, IReadOnlyList<NerSentence> Dev, IReadOnlyList<NerSentence> Test,
    IReadOnlyList<string> Types, ConceptCorpusOptions Corpus)
{
    /// <summary>Every sentence of the target (pool, dev, test), for the leak check.</summary>
    public IEnumerable<NerSentence> AllSentences => Pool.Concat(Dev).Concat(Test);

    /// <summary>
    /// Loads the target: <c>music</c> (CrossNER music; corpus from CrossNER ai and literature and all of WNUT-17) or
    /// <c>wnut17</c> (WNUT-17; corpus from the three CrossNER domains). The dev split is <paramref name="devSentences"/>
    /// sentences drawn once with a fixed seed; no sentence whose text is in test is in the pool or dev.
    /// </summary>
    public static NunerTarget Load(string name, string data, int devSentences)
    {
        string crossner = Path.Combine(data, "crossner"), wnut = Path.Combine(data, "wnut17");
        string[] wnutFiles = [Path.Combine(wnut, "wnut17train.conll"), Path.Combine(wnut, "emerging.dev.conll"), Path.Combine(wnut, "emerging.test.annotated")];
        switch (name)
        {
            case "music":
            {
                var test = NunerBench.Splits(data, "music", "test");
                var (pool, dev) = SplitDev(NunerBench.Splits(data, "music", "train", "dev"), test, devSentences);
                return new NunerTarget(name, pool, dev, test, TypesOf(pool.Concat(dev).Concat(test)), new ConceptCorpusOptions
                {
                    CrossNerFolder = crossner,
                    Domains = ["ai", "literature"],
                    HeldOutDomain = "music",
                    WnutTrainFile = wnutFiles[0],
                    ConllFiles = wnutFiles[1..],
                });
            }
            case "wnut17":
            {
                var test = ConllReader.ReadFile(wnutFiles[2]);
                var testTexts = test.Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
                var pool = ConllReader.ReadFile(wnutFiles[0]).Where(s => !testTexts.Contains(s.Text)).ToList();
                var (_, dev) = SplitDev(ConllReader.ReadFile(wnutFiles[1]), test, devSentences);
                return new NunerTarget(name, pool, dev, test, TypesOf(pool.Concat(dev).Concat(test)), new ConceptCorpusOptions
                {
                    CrossNerFolder = crossner,
                    Domains = ["ai", "literature", "music"],
                    HeldOutFiles = wnutFiles,
                });
            }
            default:
                throw new ArgumentException($"Unknown target '{name}' (music or wnut17).");
        }
    }

    /// <summary>Drops sentences repeated in test, then draws the dev split (seed 18) and leaves the rest as the pool.</summary>
    private static (List<NerSentence> Pool, List<NerSentence> Dev) SplitDev(IReadOnlyList<NerSentence> sentences, IReadOnlyList<NerSentence> test, int devSentences)
    {
        var testTexts = test.Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
        var kept = sentences.Where(s => !testTexts.Contains(s.Text)).ToList();
        var random = new Random(18);
        var devIndices = Enumerable.Range(0, kept.Count).OrderBy(_ => random.Next()).Take(Math.Min(devSentences, kept.Count / 2)).ToHashSet();
        var devTexts = devIndices.Select(i => kept[i].Text).ToHashSet(StringComparer.Ordinal);
        return (kept.Where(s => !devTexts.Contains(s.Text)).ToList(), devIndices.Order().Select(i => kept[i]).ToList());
    }

    private static List<string> TypesOf(IEnumerable<NerSentence> sentences) =>
        sentences.SelectMany(s => s.Entities().Select(e => e.Type)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
