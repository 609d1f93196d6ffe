using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Tests.Tokenization;

[TestClass]
public sealed class DocumentPackerTests
{
    private const int Eot = 99;

    [TestMethod]
    public void SeparatesDocumentsAndCutsFixedLengthSequences()
    {
        int[][] documents = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11]];
        var packed = DocumentPacker.Pack(documents, sequenceLength: 4, endOfTextId: Eot);

        // Stream: 1 2 3 EOT 4 5 EOT 6 7 8 9 10 11 -> [1 2 3 EOT] [4 5 EOT 6] [7 8 9 10], remainder [11].
        Assert.AreEqual(3, packed.Sequences.Count);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, Eot }, packed.Sequences[0]);
        CollectionAssert.AreEqual(new[] { 4, 5, Eot, 6 }, packed.Sequences[1]);
        CollectionAssert.AreEqual(new[] { 7, 8, 9, 10 }, packed.Sequences[2]);
        CollectionAssert.AreEqual(new[] { 11 }, packed.Remainder);
    }

    [TestMethod]
    public void NoTokenIsLostOrAdded()
    {
        var random = new Random(7);
        var documents = Enumerable.Range(0, 40)
            .Select(_ => Enumerable.Range(0, random.Next(1, 30)).Select(_ => random.Next(0, 50)).ToArray())
            .ToArray();
        var packed = DocumentPacker.Pack(documents, sequenceLength: 16, endOfTextId: Eot);

        long documentTokens = documents.Sum(d => (long)d.Length);
        Assert.AreEqual(documents.Length - 1, packed.SeparatorCount);
        Assert.AreEqual(documentTokens + packed.SeparatorCount, packed.TotalTokenCount);
        Assert.IsTrue(packed.Sequences.All(s => s.Length == 16));
        Assert.IsTrue(packed.Remainder.Length < 16);

        // Dropping the separators gives back exactly the documents, concatenated in order.
        var stream = packed.Sequences.SelectMany(s => s).Concat(packed.Remainder).ToArray();
        CollectionAssert.AreEqual(documents.SelectMany(d => d).ToArray(), stream.Where(t => t != Eot).ToArray());
        Assert.AreEqual(documents.Length - 1, stream.Count(t => t == Eot));
    }

    [TestMethod]
    public void IsDeterministic()
    {
        int[][] documents = [[5, 6, 7], [8], [9, 10, 11, 12, 13]];
        var first = DocumentPacker.Pack(documents, 3, Eot);
        var second = DocumentPacker.Pack(documents, 3, Eot);
        CollectionAssert.AreEqual(first.Sequences.SelectMany(s => s).ToArray(), second.Sequences.SelectMany(s => s).ToArray());
        CollectionAssert.AreEqual(first.Remainder, second.Remainder);
    }

    [TestMethod]
    public void StreamingAddMatchesPackAndKeepsSeparatingAfterARemainderIsTaken()
    {
        var packer = new DocumentPacker(sequenceLength: 3, endOfTextId: Eot);
        Assert.AreEqual(0, packer.Add([1, 2]).Count);
        Assert.AreEqual(2, packer.PendingCount);
        CollectionAssert.AreEqual(new[] { 1, 2 }, packer.TakeRemainder());
        var completed = packer.Add([3, 4]);
        CollectionAssert.AreEqual(new[] { Eot, 3, 4 }, completed.Single());
        Assert.AreEqual(2, packer.DocumentCount);
        Assert.AreEqual(1, packer.SeparatorCount);
        Assert.AreEqual(1, packer.SequenceCount);
    }

    [TestMethod]
    public void EmptyDocumentsAreRejectedClearlyAndLeaveThePackerUnchanged()
    {
        var packer = new DocumentPacker(4, Eot);
        packer.Add([1]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => packer.Add([]));
        StringAssert.Contains(ex.Message, "empty");
        Assert.AreEqual(1, packer.DocumentCount);
        Assert.AreEqual(1, packer.PendingCount);
        Assert.ThrowsExactly<ArgumentException>(() => DocumentPacker.Pack([[1], []], 4, Eot));
    }

    [TestMethod]
    public void RejectsBadArguments()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DocumentPacker(0, Eot));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DocumentPacker(4, -1));
        var packer = new DocumentPacker(4, Eot);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => packer.Add([1, -2]));
        Assert.AreEqual(0, packer.DocumentCount);
    }

    [TestMethod]
    public void PacksRealTextWithTheByteLevelTokenizer()
    {
        var tokenizer = ModelTokenizer.ByteLevel();
        string[] texts = ["first doc", "zweites Dokument ü", "третий"];
        var packed = DocumentPacker.Pack(texts.Select(tokenizer.Encode), 8, tokenizer.EndOfTextId);
        string decoded = tokenizer.Decode(packed.Sequences.SelectMany(s => s).Concat(packed.Remainder));
        Assert.AreEqual(string.Join("<|endoftext|>", texts), decoded);
    }
}
