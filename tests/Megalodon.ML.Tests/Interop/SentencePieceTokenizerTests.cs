using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Tests.Interop;

[TestClass]
public sealed class SentencePieceTokenizerTests
{
    [TestMethod]
    public void ReadsAModelFileAndRoundTripsThroughItsSpec()
    {
        var bytes = SentencePieceTestModel.Build();
        var tokenizer = ModelTokenizer.SentencePiece(bytes);
        Assert.AreEqual(SentencePieceTestModel.Pieces.Length, tokenizer.VocabSize);
        Assert.AreEqual(SentencePieceTestModel.EndOfSentenceId, tokenizer.EndOfTextId);
        var ids = tokenizer.Encode("ab cd");
        Assert.IsTrue(ids.Count > 0 && ids.All(id => id >= 3 && id < tokenizer.VocabSize), string.Join(",", ids));
        CollectionAssert.Contains(ids.ToList(), 11, "'\u2581ab' is a merged piece and should be used");
        Assert.AreEqual("ab cd", tokenizer.Decode(ids));

        var spec = tokenizer.ToSpec();
        Assert.AreEqual(TokenizerKind.SentencePiece, spec.Kind);
        var rebuilt = ModelTokenizer.FromSpec(TokenizerSpec.FromJson(spec.ToJson()));
        CollectionAssert.AreEqual(ids.ToArray(), rebuilt.Encode("ab cd").ToArray());
        CollectionAssert.AreEqual(bytes, rebuilt.SentencePieceModelBytes);
    }

    [TestMethod]
    public void APaddedVocabularyIsKeptAndABrokenFileIsAClearError()
    {
        var padded = ModelTokenizer.SentencePiece(SentencePieceTestModel.Build(), vocabSize: 32);
        Assert.AreEqual(32, padded.VocabSize);
        Assert.AreEqual(32, ModelTokenizer.FromSpec(padded.ToSpec()).VocabSize);
        var truncated = SentencePieceTestModel.Build()[..^3];
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ModelTokenizer.SentencePiece(truncated));
        StringAssert.Contains(ex.Message, "SentencePiece");
    }
}
