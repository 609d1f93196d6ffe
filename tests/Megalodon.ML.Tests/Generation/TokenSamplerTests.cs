using Megalodon.ML.Generation;

namespace Megalodon.ML.Tests.Generation;

[TestClass]
public sealed class TokenSamplerTests
{
    private static readonly float[] Logits = [0.1f, 3f, 2.5f, -1f, 2.9f];

    [TestMethod]
    public void GreedyPicksTheMaximum() =>
        Assert.AreEqual(1, new TokenSampler(new GenerationOptions { Temperature = 0 }).Next(Logits));

    [TestMethod]
    public void TopKOneIsGreedy()
    {
        var sampler = new TokenSampler(new GenerationOptions { TopK = 1, Seed = 3 });
        for (int i = 0; i < 50; i++) Assert.AreEqual(1, sampler.Next(Logits));
    }

    [TestMethod]
    public void TopKRestrictsToTheKBest()
    {
        var sampler = new TokenSampler(new GenerationOptions { TopK = 2, Temperature = 5, Seed = 1 });
        var seen = Enumerable.Range(0, 400).Select(_ => sampler.Next(Logits)).ToHashSet();
        CollectionAssert.AreEquivalent(new[] { 1, 4 }, seen.ToArray());
    }

    [TestMethod]
    public void TopPKeepsTheSmallestNucleus()
    {
        // Probabilities at T=1 ≈ [0.03, 0.37, 0.22, 0.01, 0.33]: p = 0.6 keeps tokens 1 and 4.
        var sampler = new TokenSampler(new GenerationOptions { TopP = 0.6, Seed = 7 });
        var seen = Enumerable.Range(0, 400).Select(_ => sampler.Next(Logits)).ToHashSet();
        CollectionAssert.AreEquivalent(new[] { 1, 4 }, seen.ToArray());
    }

    [TestMethod]
    public void SamplingFollowsTheDistribution()
    {
        var sampler = new TokenSampler(new GenerationOptions { Seed = 5 });
        float[] logits = [0f, (float)Math.Log(3)];   // p = 0.25, 0.75
        int ones = Enumerable.Range(0, 4000).Count(_ => sampler.Next(logits) == 1);
        Assert.AreEqual(3000, ones, 120);
    }

    [TestMethod]
    public void SameSeedSameSequence()
    {
        var a = new TokenSampler(new GenerationOptions { Seed = 9 });
        var b = new TokenSampler(new GenerationOptions { Seed = 9 });
        CollectionAssert.AreEqual(Enumerable.Range(0, 30).Select(_ => a.Next(Logits)).ToArray(), Enumerable.Range(0, 30).Select(_ => b.Next(Logits)).ToArray());
    }

    [TestMethod]
    public void BadOptionsAreRejected()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new GenerationOptions { TopP = 0 }.Validate()).Message, "TopP");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new GenerationOptions { Temperature = -1 }.Validate()).Message, "Temperature");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new GenerationOptions { TopK = -2 }.Validate()).Message, "TopK");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new GenerationOptions { StopStrings = [""] }.Validate()).Message, "Stop strings");
    }
}
