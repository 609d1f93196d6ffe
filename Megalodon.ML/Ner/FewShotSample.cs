namespace Megalodon.ML.Ner;

/// <summary>The sentences a <see cref="FewShotSampler"/> picked, with how well they cover each entity type.</summary>
public sealed class FewShotSample
{
    internal FewShotSample(int k, int seed, int[] indices, NerSentence[] sentences, IReadOnlyDictionary<string, int> mentionCounts, string[] shortTypes)
    {
        K = k;
        Seed = seed;
        Indices = indices;
        Sentences = sentences;
        MentionCounts = mentionCounts;
        ShortTypes = shortTypes;
    }

    /// <summary>The number of mentions asked for per entity type.</summary>
    public int K { get; }

    /// <summary>The seed the sample was drawn with.</summary>
    public int Seed { get; }

    /// <summary>The picked sentences' positions in the pool, in the order they were picked.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>The picked sentences, in the order they were picked.</summary>
    public IReadOnlyList<NerSentence> Sentences { get; }

    /// <summary>Entity mentions per type in the sample, for every type of the pool (ordinal order).</summary>
    public IReadOnlyDictionary<string, int> MentionCounts { get; }

    /// <summary>Types with fewer than <see cref="K"/> mentions in the sample: the pool holds too few of them, or the cap blocked them.</summary>
    public IReadOnlyList<string> ShortTypes { get; }
}
