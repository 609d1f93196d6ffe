using Megalodon.ML.Ner;
using Megalodon.ML.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class SubTokenAlignmentTests
{
    private const int X = SubTokenAlignment.IgnoreLabel;

    [TestMethod]
    public void Gpt2MultiTokenWordsAndPunctuationGetTheLabelOnTheirFirstSubToken()
    {
        // GPT-2: Alice | ' Z' w ö lf meier | ' lives' | ' in' | ' Lie' ch ten stein | ' .'
        string[] words = ["Alice", "Zwölfmeier", "lives", "in", "Liechtenstein", "."];
        var (ids, alignment) = SubTokenAlignment.Encode(ModelTokenizer.Gpt2(), words);

        Assert.HasCount(13, ids);
        CollectionAssert.AreEqual(new[] { 0, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5 }, alignment.TokenWord.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 6, 7, 8, 12 }, alignment.WordFirstToken.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 5, 1, 1, 4, 1 }, alignment.WordTokenCount.ToArray());
        CollectionAssert.AreEqual(
            new[] { 1, 3, X, X, X, X, 0, 0, 5, X, X, X, 0 },
            alignment.TokenLabels([1, 3, 0, 0, 5, 0]));
    }

    [TestMethod]
    public void PunctuationInsideAndAroundWordsStaysWithItsWord()
    {
        string[] words = ["Hello", ",", "U.S.", "don't", "(", "x", ")"];
        var (ids, alignment) = SubTokenAlignment.Encode(ModelTokenizer.Gpt2(), words);

        var decodedPerWord = words.Select((_, w) => ModelTokenizer.Gpt2().Decode(
            ids.Where((_, t) => alignment.TokenWord[t] == w)).Trim()).ToArray();
        CollectionAssert.AreEqual(words, decodedPerWord, "each word's tokens decode to exactly that word");
        Assert.IsGreaterThan(1, alignment.WordTokenCount[2], "U.S. is several tokens");
        Assert.IsGreaterThan(1, alignment.WordTokenCount[3], "don't is several tokens");
        var labels = alignment.TokenLabels([0, 0, 1, 0, 0, 2, 0]);
        Assert.AreEqual(7, labels.Count(l => l != X), "one labelled token per word");
        Assert.AreEqual(1, labels[alignment.WordFirstToken[2]]);
        Assert.AreEqual(2, labels[alignment.WordFirstToken[5]]);
    }

    [TestMethod]
    public void MultiByteCharactersSplitIntoSeveralTokensStayInOneWord()
    {
        // GPT-2 splits the emoji, the variation selector and the CJK characters into byte tokens sharing a character's range.
        string[] words = ["I", "❤\uFE0F", "😀", "東京", "!"];
        var (_, gpt2) = SubTokenAlignment.Encode(ModelTokenizer.Gpt2(), words);
        CollectionAssert.AreEqual(new[] { 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4 }, gpt2.TokenWord.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 4, 6, 11 }, gpt2.WordFirstToken.ToArray());

        // Byte-level: one token per UTF-8 byte, spaces are tokens of no word.
        var (ids, bytes) = SubTokenAlignment.Encode(ModelTokenizer.ByteLevel(), ["Zö", "ab"]);
        Assert.HasCount(6, ids); // Z, ö (2 bytes), space, a, b
        CollectionAssert.AreEqual(new[] { 0, 0, 0, -1, 1, 1 }, bytes.TokenWord.ToArray());
        CollectionAssert.AreEqual(new[] { true, false, false, false, true, false }, bytes.IsFirstSubToken.ToArray());
        CollectionAssert.AreEqual(new[] { 7, X, X, X, 8, X }, bytes.TokenLabels([7, 8]));
    }

    [TestMethod]
    public void TokenPredictionsMapBackToWords()
    {
        var (_, alignment) = SubTokenAlignment.Encode(ModelTokenizer.ByteLevel(), ["ab", "c", "de"]);
        // tokens: a b ' ' c ' ' d e
        var words = alignment.WordValues(["B-x", "I-x", "O", "O", "O", "B-y", "O"], "O");
        CollectionAssert.AreEqual(new[] { "B-x", "O", "B-y" }, words);
        Assert.ThrowsExactly<ArgumentException>(() => alignment.WordValues([1, 2], 0));
        Assert.ThrowsExactly<ArgumentException>(() => alignment.TokenLabels([1, 2]));
    }

    [TestMethod]
    public void WordsCutOffByATokenLimitHaveNoToken()
    {
        var (ids, alignment) = SubTokenAlignment.Encode(ModelTokenizer.ByteLevel(), ["ab", "cd", "ef"], maxTokens: 4);

        Assert.HasCount(4, ids);
        CollectionAssert.AreEqual(new[] { 0, 3, -1 }, alignment.WordFirstToken.ToArray());
        CollectionAssert.AreEqual(new[] { 10, 13, -1 }, alignment.WordValues([10, 11, 12, 13], -1));
    }

    [TestMethod]
    public void AWordInsideAnotherWordsTokenReadsThatTokenButGetsNoLabel()
    {
        // A tokenizer without pre-tokenization can make "ab c" one token.
        var alignment = SubTokenAlignment.Create(["ab", "c", "d"], [new Range(0, 4), new Range(4, 6)]);

        CollectionAssert.AreEqual(new[] { 0, 2 }, alignment.TokenWord.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 0, 1 }, alignment.WordFirstToken.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 0, 1 }, alignment.WordTokenCount.ToArray());
        CollectionAssert.AreEqual(new[] { 5, 7 }, alignment.TokenLabels([5, 6, 7]));
    }

    [TestMethod]
    public void ATextWithOtherSpacingAlignsByOffsets()
    {
        string text = "  New\tYork  rocks ";
        var alignment = SubTokenAlignment.Create(["New", "York", "rocks"], text, [new Range(0, 5), new Range(5, 10), new Range(10, 12), new Range(12, 18)]);

        CollectionAssert.AreEqual(new[] { 0, 1, -1, 2 }, alignment.TokenWord.ToArray());
        Assert.AreEqual(new Range(12, 17), alignment.WordRanges[2]);
    }

    [TestMethod]
    public void BadWordsTextsAndOffsetsAreRejected()
    {
        var empty = Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.Create(["a", ""], []));
        StringAssert.Contains(empty.Message, "Word 1");
        Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.Create(["a", " \u00A0"], []));
        Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.Encode(ModelTokenizer.ByteLevel(), ["a b"]));
        var mismatch = Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.Create(["a", "b"], "a c", []));
        StringAssert.Contains(mismatch.Message, "'b'");
        Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.Create(["a", "b"], "ab", []));
        Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.Create(["a"], "a b", []));
        var outside = Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.Create(["a"], [new Range(0, 2)]));
        StringAssert.Contains(outside.Message, "Token 0");
    }

    [TestMethod]
    public void CharacterSpansSelectTheTokensTheyCover()
    {
        string text = "Alice Zwölfmeier lives";
        var offsets = ModelTokenizer.Gpt2().EncodeToTokens(text).Select(t => t.Offset).ToArray();

        // ' Z' w ö lf meier all start inside [6, 16).
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5 }, SubTokenAlignment.TokensInCharSpan(text, offsets, 6, 16).ToArray());
        CollectionAssert.AreEqual(new[] { 0 }, SubTokenAlignment.TokensInCharSpan(text, offsets, 0, 5).ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.TokensInCharSpan(text, offsets, 5, 5));
        Assert.ThrowsExactly<ArgumentException>(() => SubTokenAlignment.TokensInCharSpan(text, offsets, 20, 30));
    }

    [TestMethod]
    public void TokenizersThatNormalizeCannotGiveOffsets()
    {
        var options = new BpeOptions(new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["[UNK]"] = 2 })
        {
            UnknownToken = "[UNK]",
            Normalizer = new LowerCaseNormalizer(),
        };
        var lower = ModelTokenizer.FromBpeOptions(options, endOfTextId: 2);

        Assert.HasCount(2, lower.EncodeToTokens("ab"));
        var error = Assert.ThrowsExactly<NotSupportedException>(() => lower.EncodeToTokens("AB"));
        StringAssert.Contains(error.Message, "normalizes");
    }
}
