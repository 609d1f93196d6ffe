using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class ConceptJsonlTests
{
    [TestMethod]
    public void WritesAndReadsBack()
    {
        var sentences = new[]
        {
            new ConceptAnnotatedSentence("Björk sang \"Army of Me\" 😀 in Reykjavík.",
            [
                new ConceptSpan(0, 5, "musical artist", "an Icelandic singer"),
                new ConceptSpan(12, 22, "song"),
                new ConceptSpan(30, 39, "city"),
            ]),
            new ConceptAnnotatedSentence("Nothing here.", []),
        };

        using var writer = new StringWriter();
        ConceptJsonl.Write(writer, sentences);
        string text = writer.ToString();
        var read = ConceptJsonl.Parse(text);

        Assert.AreEqual(2, text.Count(c => c == '\n'));
        StringAssert.Contains(text, "Björk", "non-ASCII text is written as is");
        Assert.HasCount(2, read);
        Assert.AreEqual(sentences[0].Text, read[0].Text);
        CollectionAssert.AreEqual(sentences[0].Entities.ToArray(), read[0].Entities.ToArray());
        Assert.AreEqual("Army of Me", read[0].SpanText(read[0].Entities[1]));
        Assert.AreEqual("Reykjavík", read[0].SpanText(read[0].Entities[2]));
        Assert.IsEmpty(read[1].Entities);
        Assert.IsFalse(text.Contains("\"description\":null"), "an absent description is not written");
    }

    [TestMethod]
    public void ReadsFilesAndSkipsBlankLinesAndUnknownFields()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("concepts.jsonl");
        File.WriteAllText(path, "{\"text\":\"Ada Lovelace\",\"id\":7,\"entities\":[{\"start\":0,\"end\":12,\"concept\":\"person\",\"description\":null,\"score\":0.9}]}\n\n   \n{\"entities\":[],\"text\":\"x\"}");
        var read = ConceptJsonl.ReadFile(path);
        Assert.HasCount(2, read);
        Assert.AreEqual(new ConceptSpan(0, 12, "person"), read[0].Entities[0]);
    }

    [TestMethod]
    public void PythonCodePointOffsetsAreConverted()
    {
        // In Python "😀 Ada"[2:5] == "Ada": the emoji is one code point but two UTF-16 units.
        var read = ConceptJsonl.Parse("{\"text\":\"😀 Ada\",\"entities\":[{\"start\":2,\"end\":5,\"concept\":\"person\"}]}", unit: ConceptOffsetUnit.CodePoint);

        Assert.AreEqual(new ConceptSpan(3, 6, "person"), read[0].Entities[0]);
        Assert.AreEqual("Ada", read[0].SpanText(read[0].Entities[0]));
        var outside = Assert.ThrowsExactly<NerDataException>(
            () => ConceptJsonl.Parse("{\"text\":\"😀 Ada\",\"entities\":[{\"start\":2,\"end\":6,\"concept\":\"person\"}]}", unit: ConceptOffsetUnit.CodePoint));
        StringAssert.Contains(outside.Message, "5 code points");
    }

    [TestMethod]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":1,\"end\":4,\"concept\":\"x\"}]}", "outside the text of 3")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":-1,\"end\":2,\"concept\":\"x\"}]}", "outside the text")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":2,\"end\":2,\"concept\":\"x\"}]}", "start 2 >= end 2")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":2,\"end\":1,\"concept\":\"x\"}]}", "start 2 >= end 1")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"end\":1,\"concept\":\"x\"}]}", "'start' is missing")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":0,\"end\":1.5,\"concept\":\"x\"}]}", "'end' must be an integer")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":0,\"end\":1}]}", "'concept' is missing")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":0,\"end\":1,\"concept\":\" \"}]}", "non-empty string")]
    [DataRow("{\"text\":\"abc\",\"entities\":[{\"start\":0,\"end\":1,\"concept\":\"x\",\"description\":3}]}", "'description' must be a string")]
    [DataRow("{\"text\":\"abc\",\"entities\":[7]}", "Entity 0 must be an object")]
    [DataRow("{\"text\":\"abc\"}", "'entities' is missing")]
    [DataRow("{\"text\":\"abc\",\"entities\":{}}", "'entities' must be an array")]
    [DataRow("{\"entities\":[]}", "'text' is missing")]
    [DataRow("{\"text\":5,\"entities\":[]}", "'text' must be a string")]
    [DataRow("{\"text\":\"  \",\"entities\":[]}", "'text' is empty")]
    [DataRow("[1,2]", "Expected a JSON object")]
    [DataRow("{\"text\":\"abc\",", "Not valid JSON")]
    [DataRow("{\"text\":\"😀\",\"entities\":[{\"start\":0,\"end\":1,\"concept\":\"x\"}]}", "surrogate pair")]
    public void BadLinesNameTheFileAndLine(string badLine, string fragment)
    {
        string text = "{\"text\":\"fine\",\"entities\":[]}\n\n" + badLine + "\n";

        var error = Assert.ThrowsExactly<NerDataException>(() => ConceptJsonl.Parse(text, "concepts.jsonl"));

        Assert.AreEqual(3, error.LineNumber);
        StringAssert.StartsWith(error.Message, "concepts.jsonl:3: ");
        StringAssert.Contains(error.Message, fragment);
    }

    [TestMethod]
    public void NerSentencesBecomeReadableConceptSpans()
    {
        var sentence = new NerSentence(
            ["Miles", "Davis", "played", "cool", "jazz", "on", "trumpet"],
            ["B-musicalartist", "I-musicalartist", "O", "B-musicgenre", "I-musicgenre", "O", "I-musicalinstrument"]);

        var concepts = ConceptAnnotatedSentence.FromNerSentence(sentence);

        Assert.AreEqual("Miles Davis played cool jazz on trumpet", concepts.Text);
        CollectionAssert.AreEqual(
            new[] { new ConceptSpan(0, 11, "musical artist"), new ConceptSpan(19, 28, "music genre"), new ConceptSpan(32, 39, "musical instrument") },
            concepts.Entities.ToArray());
        Assert.AreEqual("cool jazz", concepts.SpanText(concepts.Entities[1]));
    }

    [TestMethod]
    [DataRow("musicalartist", "musical artist")]
    [DataRow("programlang", "programming language")]
    [DataRow("literarygenre", "literary genre")]
    [DataRow("misc", "miscellaneous")]
    [DataRow("creative-work", "creative work")]
    [DataRow("SportsTeam", "sports team")]
    [DataRow("GPE", "gpe")]
    [DataRow("person", "person")]
    [DataRow("date_of_birth", "date of birth")]
    public void ConceptNamesAreReadable(string type, string expected) => Assert.AreEqual(expected, ConceptNames.Readable(type));

    [TestMethod]
    public void AnnotatedSentencesRejectBadSpans()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new ConceptAnnotatedSentence(" ", []));
        Assert.ThrowsExactly<ArgumentException>(() => new ConceptAnnotatedSentence("abc", [new ConceptSpan(0, 4, "x")]));
        Assert.ThrowsExactly<ArgumentException>(() => new ConceptAnnotatedSentence("abc", [new ConceptSpan(1, 1, "x")]));
        Assert.ThrowsExactly<ArgumentException>(() => new ConceptAnnotatedSentence("abc", [new ConceptSpan(0, 1, "")]));
        Assert.ThrowsExactly<ArgumentException>(() => ConceptNames.Readable("--"));
    }
}
