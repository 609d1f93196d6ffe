using Megalodon.ML.Training;

namespace Megalodon.ML.Tests.Training;

[TestClass]
public sealed class ReplayTokenBatchSourceTests
{
    private const int L = 4;
    // New tokens are below 1000, replayed ones 1000 and above, so every row tells where it came from.
    private static readonly int[] NewTokens = Enumerable.Range(0, 401).ToArray();
    private static readonly int[] OldTokens = Enumerable.Range(1000, 201).ToArray();

    private static long[][] Rows(ITokenBatchSource source, int batches, int batchSize)
    {
        var rows = new List<long[]>();
        for (var i = 0; i < batches; i++)
        {
            using var b = source.NextBatch(batchSize);
            var data = b.data<long>().ToArray();
            for (var r = 0; r < batchSize; r++) rows.Add(data[(r * (L + 1))..((r + 1) * (L + 1))]);
        }
        return rows.ToArray();
    }

    private static ReplayTokenBatchSource Mixture(double fraction, ITokenBatchSource? old = null) =>
        new(new PackedTokenWindowSource(NewTokens, L, seed: 3), old ?? new PackedTokenWindowSource(OldTokens, L, seed: 5), fraction);

    [TestMethod]
    [DataRow(0.0, 0)]
    [DataRow(0.05, 4)]
    [DataRow(0.25, 20)]
    public void TwentyStepsOfFourWindowsReplayExactlyTheFraction(double fraction, int expected)
    {
        var mixture = Mixture(fraction);
        var rows = Rows(mixture, batches: 20, batchSize: 4);
        Assert.AreEqual(expected, rows.Count(r => r[0] >= 1000));
        Assert.AreEqual(expected, mixture.ReplayWindowsServed);
        Assert.AreEqual(80 - expected, mixture.NewWindowsServed);
        // Compute-equivalent: the new data gives up exactly the replayed windows.
        Assert.AreEqual(80 - expected, mixture.NewData.Position.WindowsTaken(mixture.NewData.WindowsPerEpoch));
    }

    [TestMethod]
    public void ReplayedWindowsAreTheBaseRunsWindowsInOrderAfterItsLastPosition()
    {
        // The base run: 7 batches of 3 windows in its seeded order.
        var baseRun = new PackedTokenWindowSource(OldTokens, L, seed: 11);
        var start = baseRun.Position;
        Rows(baseRun, 7, 3);
        var record = baseRun.DescribeServed(start)!;
        Assert.AreEqual(21, record.WindowsSeen);

        var replay = new PackedTokenWindowSource(OldTokens, L, seed: record.StartPosition.PermutationSeed, shuffle: record.Shuffled);
        replay.Seek(record.EndPosition);
        var mixture = Mixture(0.25, replay);
        var replayed = Rows(mixture, 20, 4).Where(r => r[0] >= 1000).ToArray();
        var expected = Rows(baseRun, 1, replayed.Length); // what the base run would have read next
        Assert.HasCount(20, replayed);
        for (var i = 0; i < replayed.Length; i++) CollectionAssert.AreEqual(expected[i], replayed[i], $"replayed window {i}");
    }

    [TestMethod]
    public void SeekingToASavedPositionResumesExactly()
    {
        var first = Mixture(0.3);
        Rows(first, 5, 4);
        var saved = first.Position;
        var expected = Rows(first, 3, 4);

        var resumed = Mixture(0.3);
        resumed.Seek(saved);
        var actual = Rows(resumed, 3, 4);
        for (var i = 0; i < expected.Length; i++) CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
    }

    [TestMethod]
    public void ACycleReplaysOnlyTheSeenWindowsAgain()
    {
        var old = new PackedTokenWindowSource(OldTokens, L, shuffle: false);
        var mixture = new ReplayTokenBatchSource(new PackedTokenWindowSource(NewTokens, L, seed: 3), old, 0.5, replayCycleWindows: 3);
        var replayed = Rows(mixture, 4, 4).Where(r => r[0] >= 1000).Select(r => r[0]).ToArray();
        CollectionAssert.AreEqual(new long[] { 1000, 1004, 1008, 1000, 1004, 1008, 1000, 1004 }, replayed);
    }

    [TestMethod]
    public void TheDataRecordDescribesTheNewDataOnly()
    {
        var mixture = Mixture(0.25);
        var start = mixture.Position;
        Rows(mixture, 5, 4);
        var record = mixture.DescribeServed(start)!;
        Assert.AreEqual(15, record.WindowsSeen);
        Assert.AreEqual(NewTokens.Length, record.TokenCount);
        Assert.IsTrue(record.Matches(NewTokens));
    }

    [TestMethod]
    public void AFractionOutsideZeroToOneIsRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Mixture(1.0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Mixture(-0.01));
        Assert.ThrowsExactly<ArgumentException>(() => new ReplayTokenBatchSource(
            new PackedTokenWindowSource(NewTokens, L), new PackedTokenWindowSource(OldTokens, L + 1), 0.1));
    }
}
