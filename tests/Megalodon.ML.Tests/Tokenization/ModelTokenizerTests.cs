using Megalodon.ML.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tests.Tokenization;

[TestClass]
public sealed class ModelTokenizerTests
{
    [TestMethod]
    public void Gpt2IsTheDefaultWithItsVocabularyAndEndOfText()
    {
        var gpt2 = ModelTokenizer.Default;
        Assert.AreSame(ModelTokenizer.Gpt2(), gpt2);
        Assert.AreEqual(50257, gpt2.VocabSize);
        Assert.AreEqual(50256, gpt2.EndOfTextId);
        const string text = "Megalodon reads héllo 😀 fine.";
        Assert.AreEqual(text, gpt2.Decode(gpt2.Encode(text)));
    }

    [TestMethod]
    public void ByteLevelHas257IdsAndEndOfText256()
    {
        var bytes = ModelTokenizer.ByteLevel();
        Assert.AreEqual(257, bytes.VocabSize);
        Assert.AreEqual(256, bytes.EndOfTextId);
        Assert.AreSame(ByteLevelTokenizer.Instance, bytes.Tokenizer);
    }

    [TestMethod]
    public void SpecsRoundTripThroughJsonAndBinary()
    {
        foreach (var tokenizer in new[] { ModelTokenizer.ByteLevel(), ModelTokenizer.Gpt2(), ModelTokenizer.ByteLevel(vocabSize: 320), SmallBpe() })
        {
            var spec = tokenizer.ToSpec();
            var fromJson = ModelTokenizer.FromSpec(TokenizerSpec.FromJson(spec.ToJson()));

            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                spec.WriteTo(writer);
            stream.Position = 0;
            using var reader = new BinaryReader(stream);
            var fromBinary = ModelTokenizer.FromSpec(TokenizerSpec.ReadFrom(reader));

            foreach (var rebuilt in new[] { fromJson, fromBinary })
            {
                Assert.AreEqual(tokenizer.VocabSize, rebuilt.VocabSize, spec.Kind.ToString());
                Assert.AreEqual(tokenizer.EndOfTextId, rebuilt.EndOfTextId, spec.Kind.ToString());
                CollectionAssert.AreEqual(tokenizer.Encode("lower lowest").ToArray(), rebuilt.Encode("lower lowest").ToArray(), spec.Kind.ToString());
            }
        }
    }

    [TestMethod]
    public void SpecJsonUsesSnakeCaseNames()
    {
        string json = ModelTokenizer.Gpt2().ToSpec().ToJson();
        Assert.AreEqual("""{"kind":"tiktoken","vocab_size":50257,"eot_id":50256,"model":"gpt2"}""", json);
    }

    [TestMethod]
    public void AnyTokenizerWorksWithAStatedVocabularyButOnlyKnownOnesSave()
    {
        var bpe = BpeTokenizer.Create(SmallBpeOptions());
        var user = ModelTokenizer.FromTokenizer(bpe, vocabSize: 16, endOfTextId: 15);
        Assert.AreEqual(16, user.VocabSize);
        Assert.AreEqual(15, user.EndOfTextId);
        CollectionAssert.AreEqual(new[] { 7 }, user.Encode("lower").ToArray());
        Assert.IsFalse(user.CanSave);
        var ex = Assert.ThrowsExactly<NotSupportedException>(() => user.ToSpec());
        StringAssert.Contains(ex.Message, "FromBpeOptions");

        Assert.IsTrue(ModelTokenizer.FromTokenizer(ByteLevelTokenizer.Instance, 257, 256).CanSave);
    }

    [TestMethod]
    public void StatedVocabularyMustHoldTheTokenizersIds()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelTokenizer.ByteLevel(vocabSize: 100));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelTokenizer.FromTokenizer(ByteLevelTokenizer.Instance, 257, 300));
        var tooSmall = ModelTokenizer.FromTokenizer(BpeTokenizer.Create(SmallBpeOptions()), vocabSize: 5, endOfTextId: 4);
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => tooSmall.Encode("lower"));
        StringAssert.Contains(ex.Message, "7");
    }

    [TestMethod]
    public void CorruptSpecsGiveClearErrors()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => TokenizerSpec.FromJson("""{"kind":"tiktoken","vocab_size":10,"eot_id":3}"""));
        Assert.ThrowsExactly<InvalidDataException>(() => TokenizerSpec.FromJson("""{"kind":"byte_level","vocab_size":257,"eot_id":257}"""));
        Assert.ThrowsExactly<InvalidDataException>(() => TokenizerSpec.FromJson("not json"));
        Assert.ThrowsExactly<InvalidDataException>(() => ModelTokenizer.FromSpec(new TokenizerSpec { Kind = TokenizerKind.ByteLevel, VocabSize = 257, EndOfTextId = 3 }));
    }

    private static BpeOptions SmallBpeOptions() => new(new Dictionary<string, int>
    {
        ["l"] = 0, ["o"] = 1, ["w"] = 2, ["e"] = 3, ["r"] = 4, ["lo"] = 5, ["low"] = 6, ["lower"] = 7,
        ["s"] = 8, ["t"] = 9, ["[UNK]"] = 10, ["lowe"] = 11, ["<|endoftext|>"] = 12,
    })
    {
        Merges = ["l o", "lo w", "low e", "lowe r"],
        UnknownToken = "[UNK]",
    };

    private static ModelTokenizer SmallBpe() => ModelTokenizer.FromBpeOptions(SmallBpeOptions(), endOfTextId: 12);
}
