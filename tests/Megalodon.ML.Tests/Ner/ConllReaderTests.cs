using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class ConllReaderTests
{
    [TestMethod]
    public void ReadsTheQuirksOfRealFiles()
    {
        // A BOM, -DOCSTART-, a TAB-only separator (WNUT-17 train), CRLF, trailing spaces, several blank lines,
        // CoNLL-2003-style extra columns separated by spaces, zero-width characters in words, and no final newline.
        string text = "\uFEFF-DOCSTART- -X- -X- O\n\n"
            + "Alice\tB-person\r\n"
            + "saw\u200Bit\tO  \n"
            + "\t\n"
            + "\u200B\n"
            + "Paris NNP B-NP B-location\n"
            + "\uFE0F\tO\n"
            + "\n\n\n"
            + "Name\uFEFF\tI-person";

        var sentences = ConllReader.Parse(text, "quirks.conll");

        Assert.HasCount(3, sentences);
        CollectionAssert.AreEqual(new[] { "Alice", "saw\u200Bit" }, sentences[0].Words.ToArray());
        CollectionAssert.AreEqual(new[] { "B-person", "O" }, sentences[0].Labels.ToArray());
        CollectionAssert.AreEqual(new[] { "Paris", "\uFE0F" }, sentences[1].Words.ToArray());
        CollectionAssert.AreEqual(new[] { "B-location", "O" }, sentences[1].Labels.ToArray());
        CollectionAssert.AreEqual(new[] { "Name\uFEFF" }, sentences[2].Words.ToArray());
        CollectionAssert.AreEqual(new[] { "I-person" }, sentences[2].Labels.ToArray());
    }

    [TestMethod]
    public void MalformedLinesNameTheFileAndLine()
        => AssertError("a\tO\nlonely\n", 2, "one field");

    [TestMethod]
    public void UnknownLabelPrefixesNameTheFileAndLine()
        => AssertError("a\tO\n\nb\tO\nc\tE-person\n", 4, "E-person");

    [TestMethod]
    public void WordsWithWhitespaceNameTheFileAndLine()
        => AssertError("New York\tB-location\n", 1, "whitespace");

    [TestMethod]
    public void EmptyFieldsNameTheFileAndLine()
    {
        AssertError("a\tO\n\tB-person\n", 2, "word field is empty");
        AssertError("a\tO\nb\t\tx\t\n", 2, "label");
    }

    [TestMethod]
    public void AMissingFileIsNamed()
    {
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => ConllReader.ReadFile("/tmp/nerdata-no-such-file.conll"));
        StringAssert.Contains(error.Message, "nerdata-no-such-file.conll");
    }

    [TestMethod]
    public void ReadsFilesFromDisk()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("small.conll");
        File.WriteAllText(path, "a\tB-x\nb\tI-x\n\nc\tO\n");
        var sentences = ConllReader.ReadFile(path);
        Assert.HasCount(2, sentences);
        Assert.AreEqual("a b", sentences[0].Text);
        File.WriteAllText(path, "a\tB-x\nb\tX-x\n");
        var error = Assert.ThrowsExactly<NerDataException>(() => ConllReader.ReadFile(path));
        Assert.AreEqual(path, error.SourceName);
        Assert.AreEqual(2, error.LineNumber);
    }

    [TestMethod]
    public void WrittenSentencesReadBackUnchanged()
    {
        NerSentence[] sentences =
        [
            new(["Zwölf", "Jahre", "😀"], ["B-creative-work", "I-creative-work", "O"]),
            new(["saw\u200Bit"], ["I-person"]),
        ];
        using var scratch = new ScratchFolder();
        string path = scratch.File("written.conll");

        ConllWriter.WriteFile(path, sentences);
        var read = ConllReader.ReadFile(path);

        Assert.AreEqual("Zwölf\tB-creative-work\nJahre\tI-creative-work\n😀\tO\n\nsaw\u200Bit\tI-person\n\n", File.ReadAllText(path));
        Assert.HasCount(2, read);
        for (int i = 0; i < sentences.Length; i++)
        {
            CollectionAssert.AreEqual(sentences[i].Words.ToArray(), read[i].Words.ToArray());
            CollectionAssert.AreEqual(sentences[i].Labels.ToArray(), read[i].Labels.ToArray());
        }
        Assert.AreEqual("Zwölf[B-creative-work] Jahre[I-creative-work] 😀[O]", sentences[0].ToString());
    }

    [TestMethod]
    [DataRow("wnut17", "wnut17train.conll", 3394, 62730, 1975, 6)]
    [DataRow("wnut17", "emerging.dev.conll", 1009, 15733, 836, 6)]
    [DataRow("wnut17", "emerging.test.annotated", 1287, 23394, 1079, 6)]
    [DataRow("crossner", "ai/train.txt", 100, 3782, 532, 14)]
    [DataRow("crossner", "ai/dev.txt", 350, 10919, 1549, 14)]
    [DataRow("crossner", "ai/test.txt", 431, 12991, 1809, 14)]
    [DataRow("crossner", "literature/train.txt", 100, 3782, 541, 12)]
    [DataRow("crossner", "literature/dev.txt", 400, 14503, 2130, 12)]
    [DataRow("crossner", "literature/test.txt", 416, 16157, 2266, 12)]
    [DataRow("crossner", "music/train.txt", 100, 3909, 648, 13)]
    [DataRow("crossner", "music/dev.txt", 380, 15591, 2679, 13)]
    [DataRow("crossner", "music/test.txt", 465, 19605, 3336, 13)]
    public void ReadsTheSharedFilesWithTheirPublishedCounts(string corpus, string file, int sentenceCount, int wordCount, int entityCount, int typeCount)
    {
        string path = NerSharedData.FileOrSkip([corpus, .. file.Split('/')]);

        var sentences = ConllReader.ReadFile(path);

        Assert.HasCount(sentenceCount, sentences);
        Assert.AreEqual(wordCount, sentences.Sum(s => s.Count));
        Assert.AreEqual(entityCount, sentences.Sum(s => s.Entities().Count));
        Assert.AreEqual(typeCount, NerLabelSet.FromSentences(sentences).Types.Count);
        Assert.IsTrue(sentences.All(s => BioTags.IsValid(s.Labels)), "the shared files hold only valid IOB2");
    }

    private static void AssertError(string text, int line, string fragment)
    {
        var error = Assert.ThrowsExactly<NerDataException>(() => ConllReader.Parse(text, "bad.conll"));
        Assert.AreEqual(line, error.LineNumber, error.Message);
        Assert.AreEqual("bad.conll", error.SourceName);
        StringAssert.StartsWith(error.Message, $"bad.conll:{line}: ");
        StringAssert.Contains(error.Message, fragment);
    }
}
