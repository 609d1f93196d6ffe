namespace Megalodon.ML.Probing;

/// <summary>
/// The shuffled-label control: the same labels in a seeded random order, so they keep their class balance but no
/// longer belong to their rows. A probe or an information estimate must do clearly better with the true labels than
/// with these; when it does not, the figure measures the method, not the representation.
/// </summary>
public static class ShuffledLabels
{
    /// <summary>A seeded random permutation of <paramref name="labels"/> (Fisher–Yates with <see cref="Random"/>).</summary>
    public static bool[] Permute(IReadOnlyList<bool> labels, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var result = labels.ToArray();
        // A seed offset keeps the permutation unlike a row subset drawn with the same seed.
        new Random(unchecked(seed * 7919 + 17)).Shuffle(result);
        return result;
    }
}
