namespace Megalodon.ML.Training;

/// <summary>
/// SplitMix64: a tiny, fully specified generator. Data order and synthetic text must not depend on the .NET version's
/// <see cref="Random"/> algorithm, so everything that must replay bit-for-bit draws from this.
/// </summary>
internal struct DeterministicRandom
{
    private ulong _state;

    /// <summary>Starts the sequence at <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias.</summary>
    public long NextInt64(long bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "The bound must be positive.");
        var b = (ulong)bound;
        // Rejection keeps every value equally likely.
        var limit = ulong.MaxValue - ulong.MaxValue % b;
        ulong r;
        do { r = NextUInt64(); } while (r >= limit);
        return (long)(r % b);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => min + (int)NextInt64((long)maxExclusive - min);

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Mixes several values into one well-spread seed (for per-epoch or per-step streams).</summary>
    public static ulong Mix(ulong a, ulong b)
    {
        var r = new DeterministicRandom(a ^ (b * 0xD1B54A32D192ED03UL));
        r.NextUInt64();
        return r.NextUInt64();
    }
}
