using System.Buffers;
using System.Text;
using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Tests.Tokenization;

[TestClass]
public sealed class ByteLevelTokenizerTests
{
    private static readonly ByteLevelTokenizer Tokenizer = ByteLevelTokenizer.Instance;

    public static IEnumerable<object[]> Texts =>
    [
        [""],
        ["plain ASCII, with punctuation!"],
        ["héllo wörld"],
        ["日本語のテキスト"],
        ["emoji 😀👍🏽 and a family 👨‍👩‍👧"],
        ["שלום עולם"],
        ["e\u0301 combining, \0 nul, \t tab,\r\n newline"],
        ["<|endoftext|> is just text here"],
    ];

    [TestMethod]
    [DynamicData(nameof(Texts))]
    public void RoundTripsExactly(string text)
    {
        var ids = Tokenizer.EncodeToIds(text);
        CollectionAssert.AreEqual(Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray(), ids.ToArray());
        Assert.AreEqual(text, Tokenizer.Decode(ids));
        Assert.AreEqual(ids.Count, Tokenizer.CountTokens(text));
    }

    [TestMethod]
    public void OffsetsPointAtTheCharacterOfEachByte()
    {
        const string text = "aé😀";
        var tokens = Tokenizer.EncodeToTokens(text, out string? normalized);
        Assert.IsNull(normalized);
        // a: 1 byte at [0,1); é: 2 bytes at [1,2); 😀: 4 bytes at [2,4) (a surrogate pair).
        Range[] expected = [0..1, 1..2, 1..2, 2..4, 2..4, 2..4, 2..4];
        CollectionAssert.AreEqual(expected, tokens.Select(t => t.Offset).ToArray());
        Assert.AreEqual("a", tokens[0].Value);
        Assert.AreEqual("<0xC3>", tokens[1].Value);
    }

    [TestMethod]
    public void MaxTokenCountNeverSplitsACharacter()
    {
        // "aé" is 3 bytes; a budget of 2 must stop after "a".
        var ids = Tokenizer.EncodeToIds("aéb", maxTokenCount: 2, out _, out int charsConsumed);
        CollectionAssert.AreEqual(new[] { (int)'a' }, ids.ToArray());
        Assert.AreEqual(1, charsConsumed);
    }

    [TestMethod]
    public void EndOfTextDecodesAsItsTokenAndNeverComesFromText()
    {
        Assert.AreEqual("a<|endoftext|>b", Tokenizer.Decode([97, ByteLevelTokenizer.EndOfTextId, 98]));
        Assert.IsFalse(Tokenizer.EncodeToIds("<|endoftext|>").Contains(ByteLevelTokenizer.EndOfTextId));
    }

    [TestMethod]
    public void InvalidUtf8DecodesToReplacementCharacters()
    {
        // A lone continuation byte, then a 3-byte sequence cut short: one U+FFFD each, as Encoding.UTF8 does.
        int[] ids = [0x80, 0x41, 0xE6, 0x97];
        Assert.AreEqual(Encoding.UTF8.GetString([0x80, 0x41, 0xE6, 0x97]), Tokenizer.Decode(ids));
        Assert.AreEqual("\uFFFDA\uFFFD", Tokenizer.Decode(ids));
    }

    [TestMethod]
    public void OutOfRangeIdsAreRejected()
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tokenizer.Decode([65, 257]));
        StringAssert.Contains(ex.Message, "257");
        Assert.AreEqual(OperationStatus.InvalidData, Tokenizer.Decode([65, -1], new char[8], out int consumed, out int written));
        Assert.AreEqual(1, consumed);
        Assert.AreEqual(1, written);
    }

    [TestMethod]
    public void SpanDecodeStopsAtWholeCharactersWhenTheDestinationIsFull()
    {
        var ids = Tokenizer.EncodeToIds("a😀");
        var status = Tokenizer.Decode(ids, new char[2], out int consumed, out int written);
        Assert.AreEqual(OperationStatus.DestinationTooSmall, status);
        Assert.AreEqual(1, consumed); // the emoji's 4 bytes need 2 chars; only 1 is left
        Assert.AreEqual(1, written);
    }
}
