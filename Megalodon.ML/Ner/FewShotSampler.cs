namespace Megalodon.ML.Ner;

/// <summary>
/// Draws k-shot training sets for NER: a few sentences that together hold at least k entity mentions of every type.
/// </summary>
/// <remarks>
/// <para>NuNER fine-tunes on "k examples for each class" and, for its comparison with UniversalNER, uses Few-NERD's greedy
/// "k~2k" sampling. A sentence usually holds several types, so sentences cannot be drawn per type independently. The greedy
/// procedure used here:</para>
/// <list type="number">
/// <item>Shuffle the pool with <see cref="Random"/> seeded by the seed (Fisher–Yates), so a seed always gives the same sample.</item>
/// <item>Walk the shuffled pool. Skip sentences without entities. Take a sentence when one of its types still has fewer than
/// k mentions in the sample, unless a cap is set and taking it would push one of its types above the cap
/// (Few-NERD's k~2k uses cap 2k).</item>
/// <item>Stop when every type of the pool has k mentions.</item>
/// </list>
/// <para>Mentions are entities decoded with <see cref="BioTags"/>. Types the pool (or the cap) cannot bring to k are reported in
/// <see cref="FewShotSample.ShortTypes"/> rather than failing, because small domains hold rare types.</para>
/// </remarks>
public static class FewShotSampler
{
    /// <summary>Draws one k-shot sample.</summary>
    /// <param name="pool">The sentences to sample from (a training split).</param>
    /// <param name="k">Mentions wanted per entity type; at least 1.</param>
    /// <param name="seed">The seed; the same pool, k, cap and seed always give the same sample.</param>
    /// <param name="maxMentionsPerType">Skip sentences that would push a type above this many mentions (2k for Few-NERD's k~2k); null for no cap.</param>
    /// <exception cref="ArgumentException">The pool has no entity at all.</exception>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1 or the cap is below k.</exception>
    public static FewShotSample Sample(IReadOnlyList<NerSentence> pool, int k, int seed, int? maxMentionsPerType = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (maxMentionsPerType is int cap && cap < k)
            throw new ArgumentOutOfRangeException(nameof(maxMentionsPerType), cap, $"The cap must be at least k = {k}.");

        var mentions = new Dictionary<string, int>[pool.Count];
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pool.Count; i++)
        {
            mentions[i] = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entity in pool[i].Entities())
            {
                mentions[i][entity.Type] = mentions[i].GetValueOrDefault(entity.Type) + 1;
                counts[entity.Type] = 0;
            }
        }
        if (counts.Count == 0)
            throw new ArgumentException("The pool holds no entity, so there is nothing to sample k per type from.", nameof(pool));

        int[] order = Enumerable.Range(0, pool.Count).ToArray();
        Shuffle(order, new Random(seed));
        var picked = new List<int>();
        int typesBelowK = counts.Count;
        foreach (int index in order)
        {
            if (typesBelowK == 0)
                break;
            var sentenceMentions = mentions[index];
            if (!sentenceMentions.Keys.Any(t => counts[t] < k))
                continue;
            if (maxMentionsPerType is int limit && sentenceMentions.Any(m => counts[m.Key] + m.Value > limit))
                continue;
            foreach (var (type, count) in sentenceMentions)
            {
                if (counts[type] < k && counts[type] + count >= k)
                    typesBelowK--;
                counts[type] += count;
            }
            picked.Add(index);
        }
        var shortTypes = counts.Where(c => c.Value < k).Select(c => c.Key).ToArray();
        return new FewShotSample(k, seed, picked.ToArray(), picked.Select(i => pool[i]).ToArray(), counts, shortTypes);
    }

    // Written out rather than Random.Shuffle so the documented order cannot change with the runtime.
    private static void Shuffle(int[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Draws one k-shot sample per seed (NuNER reports means over several seeds).</summary>
    /// <param name="pool">The sentences to sample from.</param>
    /// <param name="k">Mentions wanted per entity type.</param>
    /// <param name="seeds">The seeds.</param>
    /// <param name="maxMentionsPerType">As in <see cref="Sample"/>.</param>
    public static IReadOnlyList<FewShotSample> SampleMany(IReadOnlyList<NerSentence> pool, int k, IEnumerable<int> seeds, int? maxMentionsPerType = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        return seeds.Select(seed => Sample(pool, k, seed, maxMentionsPerType)).ToArray();
    }
}
