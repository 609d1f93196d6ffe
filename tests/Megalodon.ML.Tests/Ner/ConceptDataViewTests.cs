using Megalodon.ML.Transforms;
using Megalodon.ML.Ner;
using Megalodon.ML.Transforms.Ner;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class ConceptDataViewTests
{
    private static readonly ConceptAnnotatedSentence[] Sentences =
    [
        new("Ada Lovelace wrote notes.", [new ConceptSpan(0, 12, "person", "a mathematician"), new ConceptSpan(0, 3, "given name")]),
        new("Nothing to see.", []),
    ];

    internal sealed class Row
    {
        public string Text { get; set; } = "";
        public int[] EntityStarts { get; set; } = [];
        public int[] EntityEnds { get; set; } = [];
        public string[] Concepts { get; set; } = [];
    }

    internal sealed class FloatRow
    {
        public string Text { get; set; } = "";
        public float[] EntityStarts { get; set; } = [];
        public int[] EntityEnds { get; set; } = [];
        public string[] Concepts { get; set; } = [];
    }

    [TestMethod]
    public void SentencesRoundTripThroughADataView()
    {
        var data = new MLContext(seed: 1).Data.LoadFromConceptSentences(Sentences);

        Assert.AreEqual(TextDataViewType.Instance, data.Schema[ConceptColumnNames.Text].Type);
        Assert.AreEqual(NumberDataViewType.Int32, ((VectorDataViewType)data.Schema[ConceptColumnNames.EntityStarts].Type).ItemType);
        Assert.AreEqual(TextDataViewType.Instance, ((VectorDataViewType)data.Schema[ConceptColumnNames.Concepts].Type).ItemType);
        var read = data.ReadConceptSentences();

        Assert.HasCount(2, read);
        CollectionAssert.AreEqual(Sentences[0].Entities.ToArray(), read[0].Entities.ToArray());
        Assert.IsEmpty(read[1].Entities);
        Assert.AreEqual(Sentences[1].Text, read[1].Text);
    }

    [TestMethod]
    public void LoadsAJsonlFileAndReadsDataWithoutDescriptions()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("concepts.jsonl");
        ConceptJsonl.WriteFile(path, Sentences);
        var mlContext = new MLContext(seed: 1);

        CollectionAssert.AreEqual(new[] { "person", "given name" }, mlContext.Data.LoadFromConceptJsonl(path).GetColumn<string[]>(ConceptColumnNames.Concepts).First());

        var plain = mlContext.Data.LoadFromEnumerable(new[] { new Row { Text = "Bob runs", EntityStarts = [0], EntityEnds = [3], Concepts = ["person"] } });
        Assert.AreEqual(new ConceptSpan(0, 3, "person"), plain.ReadConceptSentences().Single().Entities.Single());
    }

    [TestMethod]
    public void BadColumnsAndRowsAreNamed()
    {
        var mlContext = new MLContext(seed: 1);

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.LoadFromEnumerable(new[] { new { Text = "x" } }).ReadConceptSentences());
        StringAssert.Contains(missing.Message, "'EntityStarts'");

        var floats = mlContext.Data.LoadFromEnumerable(new[] { new FloatRow { Text = "x", EntityStarts = [0], EntityEnds = [1], Concepts = ["c"] } });
        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => floats.ReadConceptSentences());
        StringAssert.Contains(wrongType.Message, "'EntityStarts'");
        StringAssert.Contains(wrongType.Message, "Int32");

        var ragged = mlContext.Data.LoadFromEnumerable(new[]
        {
            new Row { Text = "fine", EntityStarts = [], EntityEnds = [], Concepts = [] },
            new Row { Text = "Bob runs", EntityStarts = [0, 4], EntityEnds = [3], Concepts = ["person", "verb"] },
        });
        var length = Assert.ThrowsExactly<InvalidDataException>(() => ragged.ReadConceptSentences());
        StringAssert.StartsWith(length.Message, "Row 1:");

        var outside = mlContext.Data.LoadFromEnumerable(new[] { new Row { Text = "Bob", EntityStarts = [0], EntityEnds = [9], Concepts = ["person"] } });
        var span = Assert.ThrowsExactly<InvalidDataException>(() => outside.ReadConceptSentences());
        StringAssert.Contains(span.Message, "outside the text");
    }
}
