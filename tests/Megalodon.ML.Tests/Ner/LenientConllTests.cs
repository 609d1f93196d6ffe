using Megalodon.ML.Ner;
using Megalodon.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class LenientConllTests
{
    // Line 2: an empty word field; line 3: a word of one space (tab format); line 4: a word with a space inside;
    // line 5: a lone-space word in a space-separated line ("  O"); line 7: a clean sentence after a separator.
    private const string Text = "RT\tO\n\tO\n \tO\nNew York\tB-location\n  O\n\nfine\tO\n";

    [TestMethod]
    public void TheStrictReaderStillRefusesAndNamesTheLenientOption()
    {
        var error = Assert.Throws<NerDataException>(() => ConllReader.Parse(Text, "tweets.conll"));
        StringAssert.Contains(error.Message, "tweets.conll");
        StringAssert.Contains(error.Message, "2");
        StringAssert.Contains(error.Message, "Lenient");
    }

    [TestMethod]
    public void LenientReadingRepairsEachLineKeepsTheTokenCountAndReportsLines()
    {
        var read = ConllReader.Parse(Text, new ConllReaderOptions { Lenient = true }, "tweets.conll");

        Assert.HasCount(2, read.Sentences);
        CollectionAssert.AreEqual(new[] { "RT", "_", "_", "New_York", "_" }, read.Sentences[0].Words.ToArray());
        CollectionAssert.AreEqual(new[] { "O", "O", "O", "B-location", "O" }, read.Sentences[0].Labels.ToArray());
        // The gold span stays on word 3, as in the file.
        Assert.AreEqual(new EntitySpan("location", 3, 4), read.Sentences[0].Entities().Single());
        CollectionAssert.AreEqual(new[] { "fine" }, read.Sentences[1].Words.ToArray());

        CollectionAssert.AreEqual(new[] { 2, 3, 4, 5 }, read.Repairs.Select(r => r.Line).ToArray());
        Assert.AreEqual(3, read.Count(ConllRepairKind.EmptyWord));
        Assert.AreEqual(1, read.Count(ConllRepairKind.WordWithWhitespace));
        Assert.AreEqual("New York", read.Repairs[2].OriginalWord);
        StringAssert.Contains(read.Summary(), "3 empty or whitespace-only word(s) (line 2, 3, 5)");
        StringAssert.Contains(read.Summary(), "1 word(s) holding whitespace (line 4)");
    }

    [TestMethod]
    public void ACleanFileReadsTheSameEitherWay()
    {
        const string clean = "Alice\tB-person\nsaw\tO\n\nParis NNP B-location\n";
        var strict = ConllReader.Parse(clean);
        var lenient = ConllReader.Parse(clean, new ConllReaderOptions { Lenient = true });
        Assert.IsEmpty(lenient.Repairs);
        Assert.AreEqual("no repairs", lenient.Summary());
        CollectionAssert.AreEqual(strict.Select(s => s.ToString()).ToArray(), lenient.Sentences.Select(s => s.ToString()).ToArray());
    }

    [TestMethod]
    public void ThePlaceholderIsChecked()
    {
        Assert.Throws<ArgumentException>(() => ConllReader.Parse(Text, new ConllReaderOptions { Lenient = true, Placeholder = " " }));
        var read = ConllReader.Parse(Text, new ConllReaderOptions { Lenient = true, Placeholder = "<blank>" });
        Assert.AreEqual("<blank>", read.Sentences[0].Words[1]);
        Assert.AreEqual("New<blank>York", read.Sentences[0].Words[3]);
    }

    [TestMethod]
    public void LoadFromConllTakesTheOptionFromTheTransformsNamespaceAndReportsRepairs()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.File("tweets.conll");
        File.WriteAllText(path, Text);
        var ml = new MLContext(seed: 1);
        Assert.Throws<NerDataException>(() => ml.Data.LoadFromConll(path));
        var data = ml.Data.LoadFromConll(path, new ConllReaderOptions { Lenient = true }, out var read);
        Assert.AreEqual(2L, data.GetRowCount() ?? data.GetColumn<string>("Sentence").LongCount());
        Assert.HasCount(4, read.Repairs);
        Assert.AreEqual("RT _ _ New_York _", data.GetColumn<string>("Sentence").First());
    }
}
