namespace Megalodon.ML.Probing;

/// <summary>
/// The perturbation of the paper's robustness set (SST-2 sentences and a copy with random-case typos): each letter
/// has its case flipped with a given probability, and at least one letter is always flipped, so every perturbed copy
/// differs from its original. Deterministic for a given <see cref="Random"/> state.
/// </summary>
public static class RandomCasePerturbation
{
    /// <summary>The flip probability used by default: about one letter in twenty, as in the paper's perturbed sentences.</summary>
    public const double DefaultRate = 0.05;

    /// <summary>Flips the case of each cased letter of <paramref name="text"/> with probability <paramref name="rate"/>, at least one.</summary>
    /// <exception cref="ArgumentException">The text has no letter whose case can flip, or the rate is outside [0, 1].</exception>
    public static string Apply(string text, double rate, Random random)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(random);
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The flip rate must be in [0, 1].");
        var letters = Enumerable.Range(0, text.Length).Where(i => Flip(text[i]) != text[i]).ToArray();
        if (letters.Length == 0) throw new ArgumentException("The text has no cased letter to perturb.", nameof(text));
        var chars = text.ToCharArray();
        int flipped = 0;
        foreach (int i in letters)
            if (random.NextDouble() < rate) { chars[i] = Flip(chars[i]); flipped++; }
        if (flipped == 0)
        {
            int i = letters[random.Next(letters.Length)];
            chars[i] = Flip(chars[i]);
        }
        return new string(chars);
    }

    private static char Flip(char c) => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.IsLower(c) ? char.ToUpperInvariant(c) : c;
}
