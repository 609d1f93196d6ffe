using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class FewShotSamplerTests
{
    /// <summary>200 sentences with a frequent, a medium and a rare type, and some without entities.</summary>
    private static NerSentence[] Pool()
    {
        var random = new Random(5);
        var pool = new List<NerSentence>();
        for (int i = 0; i < 200; i++)
        {
            var labels = Enumerable.Range(0, 6).Select(_ => "O").ToArray();
            if (random.NextDouble() < 0.7) labels[0] = "B-person";
            if (random.NextDouble() < 0.3) { labels[2] = "B-location"; labels[3] = "I-location"; }
            if (random.NextDouble() < 0.08) labels[5] = "B-award";
            pool.Add(new NerSentence(labels.Select((_, w) => $"s{i}w{w}").ToArray(), labels));
        }
        return pool.ToArray();
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameSampleAndOtherSeedsDiffer()
    {
        var pool = Pool();

        var first = FewShotSampler.Sample(pool, 4, seed: 11);
        var again = FewShotSampler.Sample(pool, 4, seed: 11);
        var samples = FewShotSampler.SampleMany(pool, 4, [1, 2, 3]);

        CollectionAssert.AreEqual(first.Indices.ToArray(), again.Indices.ToArray());
        Assert.AreEqual(11, first.Seed);
        Assert.AreEqual(4, first.K);
        Assert.AreEqual(3, samples.Select(s => string.Join(",", s.Indices)).Distinct().Count(), "three seeds, three different samples");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(4)]
    [DataRow(8)]
    public void EveryTypeGetsKMentionsAndEveryPickedSentenceWasNeeded(int k)
    {
        var pool = Pool();

        var sample = FewShotSampler.Sample(pool, k, seed: 3);

        Assert.IsEmpty(sample.ShortTypes);
        var replay = new Dictionary<string, int> { ["award"] = 0, ["location"] = 0, ["person"] = 0 };
        for (int i = 0; i < sample.Indices.Count; i++)
        {
            Assert.AreSame(pool[sample.Indices[i]], sample.Sentences[i]);
            var entities = sample.Sentences[i].Entities();
            Assert.IsTrue(entities.Any(e => replay[e.Type] < k), $"sentence {i} was picked though all its types already had {k} mentions");
            foreach (var entity in entities)
                replay[entity.Type]++;
        }
        CollectionAssert.AreEquivalent(replay.ToArray(), sample.MentionCounts.ToArray());
        Assert.IsTrue(replay.Values.All(count => count >= k));
        Assert.AreEqual(sample.Indices.Count, sample.Indices.Distinct().Count());
    }

    [TestMethod]
    public void ACapKeepsEveryTypeAtMostThere()
    {
        var sample = FewShotSampler.Sample(Pool(), 4, seed: 7, maxMentionsPerType: 8);
        Assert.IsEmpty(sample.ShortTypes);
        Assert.IsTrue(sample.MentionCounts.Values.All(c => c is >= 4 and <= 8), string.Join(", ", sample.MentionCounts));

        // Each award sentence holds three persons, so two awards bring six persons unless the cap stops them.
        var crowded = Enumerable.Range(0, 3).Select(i => new NerSentence([$"a{i}", "p", "q", "r"], ["B-award", "B-person", "B-person", "B-person"]));
        var single = Enumerable.Range(0, 5).Select(i => new NerSentence([$"p{i}"], ["B-person"]));
        NerSentence[] pool = [.. crowded, .. single];
        for (int seed = 0; seed < 5; seed++)
        {
            var uncapped = FewShotSampler.Sample(pool, 2, seed);
            Assert.IsGreaterThanOrEqualTo(6, uncapped.MentionCounts["person"]);
            Assert.IsEmpty(uncapped.ShortTypes);

            var capped = FewShotSampler.Sample(pool, 2, seed, maxMentionsPerType: 4);
            Assert.IsLessThanOrEqualTo(4, capped.MentionCounts["person"]);
            CollectionAssert.AreEqual(new[] { "award" }, capped.ShortTypes.ToArray(), "the cap leaves room for at most one award sentence");
            Assert.IsLessThanOrEqualTo(1, capped.MentionCounts["award"]);
        }
    }

    [TestMethod]
    public void TypesThePoolCannotFillAreReported()
    {
        NerSentence[] pool =
        [
            new(["a", "b"], ["B-x", "B-y"]),
            new(["c"], ["B-x"]),
            new(["d"], ["O"]),
            new(["e"], ["B-x"]),
        ];

        var sample = FewShotSampler.Sample(pool, 2, seed: 1);

        CollectionAssert.AreEqual(new[] { "y" }, sample.ShortTypes.ToArray());
        Assert.AreEqual(1, sample.MentionCounts["y"]);
        Assert.IsGreaterThanOrEqualTo(2, sample.MentionCounts["x"]);
        CollectionAssert.DoesNotContain(sample.Indices.ToArray(), 2, "sentences without entities are never picked");
    }

    [TestMethod]
    public void BadArgumentsAreRejected()
    {
        var pool = Pool();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FewShotSampler.Sample(pool, 0, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FewShotSampler.Sample(pool, 4, 1, maxMentionsPerType: 3));
        var empty = Assert.ThrowsExactly<ArgumentException>(() => FewShotSampler.Sample([new NerSentence(["a"], ["O"])], 1, 1));
        StringAssert.Contains(empty.Message, "no entity");
    }

    [TestMethod]
    [DataRow(4)]
    [DataRow(16)]
    public void SamplesTheCrossNerMusicTrainingSplit(int k)
    {
        var pool = ConllReader.ReadFile(NerSharedData.FileOrSkip("crossner", "music", "train.txt"));

        var sample = FewShotSampler.Sample(pool, k, seed: 1);

        Assert.HasCount(13, sample.MentionCounts);
        foreach (var (type, count) in sample.MentionCounts)
        {
            int available = pool.Sum(s => s.Entities().Count(e => e.Type == type));
            Assert.IsGreaterThanOrEqualTo(Math.Min(k, available), count, type);
            Assert.AreEqual(available < k, sample.ShortTypes.Contains(type), type);
        }
        Assert.IsLessThan(pool.Count, sample.Indices.Count, "a sample is a strict subset of the 100 sentences");
    }
}
