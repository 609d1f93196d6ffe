namespace Megalodon.ML.Training;

/// <summary>
/// Where a token-window source stands: the epoch, the number of windows already taken in that epoch, and the seed of
/// the epoch permutations. Serialisable (JSON), saved in checkpoints so a resumed run continues with the very next
/// window, and recorded per run so the exact data order can be replayed later.
/// </summary>
/// <param name="Epoch">Completed passes over the data.</param>
/// <param name="Index">Windows already taken in the current epoch.</param>
/// <param name="PermutationSeed">The seed from which every epoch's window order is derived.</param>
public sealed record TokenSourcePosition(long Epoch, long Index, ulong PermutationSeed)
{
    /// <summary>The start of the first epoch for a seed.</summary>
    /// <param name="permutationSeed">The seed of the epoch permutations.</param>
    public static TokenSourcePosition Start(ulong permutationSeed) => new(0, 0, permutationSeed);

    /// <summary>Windows taken since the start, given the windows per epoch.</summary>
    /// <param name="windowsPerEpoch">Windows in one epoch.</param>
    public long WindowsTaken(long windowsPerEpoch) => checked(Epoch * windowsPerEpoch + Index);
}
