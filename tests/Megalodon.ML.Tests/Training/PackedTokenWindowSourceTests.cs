using Megalodon.ML.Training;

namespace Megalodon.ML.Tests.Training;

[TestClass]
public sealed class PackedTokenWindowSourceTests
{
    private static readonly int[] Tokens = Enumerable.Range(0, 101).ToArray();

    private static long[] Take(ITokenBatchSource source, int batches, int batchSize)
    {
        var rows = new List<long>();
        for (var i = 0; i < batches; i++)
        {
            using var b = source.NextBatch(batchSize);
            CollectionAssert.AreEqual(new long[] { batchSize, source.WindowLength }, b.shape);
            rows.AddRange(b.data<long>().ToArray());
        }
        return rows.ToArray();
    }

    [TestMethod]
    public void WindowsShareTheirBoundaryTokenAndCoverTheStream()
    {
        var source = new PackedTokenWindowSource(Tokens, sequenceLength: 10, shuffle: false);
        Assert.AreEqual(10, source.WindowsPerEpoch);
        Assert.AreEqual(11, source.WindowLength);
        var rows = Take(source, 1, 2);
        CollectionAssert.AreEqual(Enumerable.Range(0, 11).Select(i => (long)i).ToArray(), rows[..11]);
        CollectionAssert.AreEqual(Enumerable.Range(10, 11).Select(i => (long)i).ToArray(), rows[11..]);
    }

    [TestMethod]
    public void EachEpochIsAPermutationAndEpochsDiffer()
    {
        var source = new PackedTokenWindowSource(Tokens, sequenceLength: 10, seed: 3);
        var e0 = Enumerable.Range(0, 10).Select(i => source.WindowIdAt(0, i)).ToArray();
        var e1 = Enumerable.Range(0, 10).Select(i => source.WindowIdAt(1, i)).ToArray();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), e0);
        CollectionAssert.AreEquivalent(e0, e1);
        CollectionAssert.AreNotEqual(e0, e1);
        CollectionAssert.AreNotEqual(e0, Enumerable.Range(0, 10).Select(i => new PackedTokenWindowSource(Tokens, 10, seed: 4).WindowIdAt(0, i)).ToArray());

        // Batches follow the order and roll into the next epoch.
        var rows = Take(source, 3, 4);
        var firsts = Enumerable.Range(0, 12).Select(r => rows[r * 11] / 10).ToArray();
        CollectionAssert.AreEqual(e0.Concat(e1.Take(2)).ToArray(), firsts);
        Assert.AreEqual(new TokenSourcePosition(1, 2, 3), source.Position);
    }

    [TestMethod]
    public void SameSeedSameOrderAndSeekResumesExactly()
    {
        var a = new PackedTokenWindowSource(Tokens, sequenceLength: 7, seed: 9);
        var b = new PackedTokenWindowSource(Tokens, sequenceLength: 7, seed: 9);
        CollectionAssert.AreEqual(Take(a, 5, 3), Take(b, 5, 3));

        var saved = a.Position;
        var continued = Take(a, 6, 3);
        var fresh = new PackedTokenWindowSource(Tokens, sequenceLength: 7, seed: 0); // the position carries the seed
        fresh.Seek(saved);
        CollectionAssert.AreEqual(continued, Take(fresh, 6, 3));
    }

    [TestMethod]
    public void PositionRoundTripsThroughJson()
    {
        var p = new TokenSourcePosition(3, 17, ulong.MaxValue - 5);
        var json = System.Text.Json.JsonSerializer.Serialize(p);
        Assert.AreEqual(p, System.Text.Json.JsonSerializer.Deserialize<TokenSourcePosition>(json));
        Assert.AreEqual(3 * 40 + 17, p.WindowsTaken(40));
    }

    [TestMethod]
    public void RejectsTooShortStreamsAndForeignPositions()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new PackedTokenWindowSource(new int[10], sequenceLength: 10));
        var s = new PackedTokenWindowSource(Tokens, sequenceLength: 10);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s.Seek(new TokenSourcePosition(0, 10, 0)));
    }

    [TestMethod]
    public void SplitWindowsShiftsTargetsAndIgnoresPadding()
    {
        using var windows = TorchSharp.torch.tensor(new long[] { 5, 6, 0, 7, -100, 8 }).reshape(2, 3);
        var (inputs, targets) = LanguageModelLoss.SplitWindows(windows, paddingTokenId: 0);
        CollectionAssert.AreEqual(new long[] { 5, 6, 7, 0 }, inputs.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 6, -100, -100, 8 }, targets.data<long>().ToArray());
        Assert.AreEqual(2, LanguageModelLoss.CountTargets(targets));
    }
}
