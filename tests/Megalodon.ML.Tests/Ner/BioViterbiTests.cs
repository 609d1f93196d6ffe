using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

/// <summary><see cref="BioViterbi"/>: the most likely valid BIO sequence from per-word scores.</summary>
[TestClass]
public sealed class BioViterbiTests
{
    private static readonly string[] Labels = ["O", "B-album", "I-album", "B-song", "I-song"];

    private static float[] Row(params (string Label, double Probability)[] probabilities)
    {
        var row = Enumerable.Repeat((float)Math.Log(1e-6), Labels.Length).ToArray();
        foreach (var (label, p) in probabilities) row[Array.IndexOf(Labels, label)] = (float)Math.Log(p);
        return row;
    }

    private static string[] Decode(params float[][] rows) => new BioViterbi(Labels).Decode(rows).Select(c => Labels[c]).ToArray();

    [TestMethod]
    public void AValidBestLabelSequenceIsKept()
    {
        var labels = Decode(Row(("B-song", 0.7), ("O", 0.3)), Row(("I-song", 0.6), ("O", 0.4)), Row(("O", 0.9), ("B-album", 0.1)));
        CollectionAssert.AreEqual(new[] { "B-song", "I-song", "O" }, labels);
    }

    [TestMethod]
    public void AMixedEntityBecomesTheMoreLikelyWholeOneWhereRepairWouldSplitIt()
    {
        // Word by word: B-album I-song I-album, which repair reads as three entities (album, song, album).
        var rows = new[] { Row(("B-album", 0.6), ("B-song", 0.4)), Row(("I-song", 0.55), ("I-album", 0.45)), Row(("I-album", 0.6), ("I-song", 0.4)) };
        var wordByWord = TaggerLabels.FromClasses(rows.Select(TokenClassifier.ArgMax).ToArray(), Labels);
        CollectionAssert.AreEqual(new[] { "B-album", "B-song", "B-album" }, wordByWord);
        // 0.6 × 0.45 × 0.6 = 0.162 for the whole album against 0.4 × 0.55 × 0.4 = 0.088 for the whole song.
        CollectionAssert.AreEqual(new[] { "B-album", "I-album", "I-album" }, Decode(rows));
    }

    [TestMethod]
    public void AnInsideLabelNeverStartsASentenceOrFollowsOutside()
    {
        var labels = Decode(Row(("I-song", 0.9), ("O", 0.1)), Row(("O", 0.5), ("I-album", 0.5)), Row(("I-album", 0.8), ("O", 0.2)));
        Assert.IsTrue(BioTags.IsValid(labels), string.Join(" ", labels));
        Assert.AreNotEqual("I-song", labels[0]);
    }

    [TestMethod]
    public void EmptyInputAndWrongWidthsAreHandled()
    {
        Assert.IsEmpty(new BioViterbi(Labels).Decode([]));
        Assert.Throws<ArgumentException>(() => new BioViterbi(Labels).Decode([new float[3]]));
        Assert.Throws<ArgumentException>(() => new BioViterbi([]));
    }
}
