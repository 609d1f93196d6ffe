namespace Megalodon.ML.Probing;

/// <summary>
/// A seeded train/test split that keeps every group of rows on one side: the continuations of one StereoSet context,
/// the answers to one TruthfulQA question, the clean and perturbed copies of one sentence. A row split that separated
/// them would let a probe score by recognising the shared text rather than the concept.
/// </summary>
public static class GroupedSplit
{
    /// <summary>
    /// Assigns groups, in a seeded random order, to the training side until it holds at least
    /// <paramref name="trainFraction"/> of the rows; the remaining groups test.
    /// </summary>
    /// <param name="groups">The group key of each row.</param>
    /// <param name="trainFraction">Share of rows wanted on the training side, in (0, 1).</param>
    /// <param name="seed">Seed of the group order.</param>
    /// <returns>Per row, whether it trains.</returns>
    /// <exception cref="ArgumentException">Fewer than two groups, or a fraction outside (0, 1).</exception>
    public static bool[] Assign(IReadOnlyList<string> groups, double trainFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (!(trainFraction > 0 && trainFraction < 1)) throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, "The training fraction must be in (0, 1).");
        // Groups in first-appearance order, so the result depends only on the rows and the seed.
        var order = new List<string>();
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            if (sizes.TryGetValue(g, out int n)) sizes[g] = n + 1;
            else { sizes[g] = 1; order.Add(g); }
        }
        if (order.Count < 2) throw new ArgumentException($"A split needs at least two groups; the rows form {order.Count}.", nameof(groups));
        var shuffled = order.ToArray();
        new Random(seed).Shuffle(shuffled);
        var train = new HashSet<string>(StringComparer.Ordinal);
        long target = (long)Math.Round(trainFraction * groups.Count), taken = 0;
        // The last group always tests, so neither side is empty.
        for (int i = 0; i < shuffled.Length - 1 && taken < target; i++)
        {
            train.Add(shuffled[i]);
            taken += sizes[shuffled[i]];
        }
        return groups.Select(train.Contains).ToArray();
    }
}
