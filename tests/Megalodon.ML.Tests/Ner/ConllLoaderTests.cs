using Megalodon.ML.Transforms;
using Megalodon.ML.Ner;
using Megalodon.ML.Transforms.Ner;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class ConllLoaderTests
{
    private static readonly NerSentence[] Sentences =
    [
        new(["Alice", "visited", "New", "York", "."], ["B-person", "O", "B-location", "I-location", "O"]),
        new(["Hi"], ["O"]),
    ];

    [TestMethod]
    public void TheLabelColumnIsAKeyVectorWithTheLabelNames()
    {
        var data = new MLContext(seed: 1).Data.LoadFromNerSentences(Sentences);

        var sentence = data.Schema[NerColumnNames.Sentence];
        Assert.AreEqual(TextDataViewType.Instance, sentence.Type);
        var words = (VectorDataViewType)data.Schema[NerColumnNames.Words].Type;
        Assert.AreEqual(TextDataViewType.Instance, words.ItemType);
        Assert.IsFalse(words.IsKnownSize);

        var label = data.Schema[NerColumnNames.Label];
        var labelType = (VectorDataViewType)label.Type;
        Assert.IsFalse(labelType.IsKnownSize);
        var key = (KeyDataViewType)labelType.ItemType;
        Assert.AreEqual(typeof(uint), key.RawType);
        Assert.AreEqual(5UL, key.Count);
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.GetKeyValues(ref names);
        CollectionAssert.AreEqual(new[] { "O", "B-location", "I-location", "B-person", "I-person" }, names.DenseValues().Select(n => n.ToString()).ToArray());

        Assert.AreEqual("Alice visited New York .", data.GetColumn<string>(NerColumnNames.Sentence).First());
        var keys = data.GetColumn<VBuffer<uint>>(NerColumnNames.Label).Select(v => v.DenseValues().ToArray()).ToArray();
        CollectionAssert.AreEqual(new uint[] { 4, 1, 2, 3, 1 }, keys[0]);
        CollectionAssert.AreEqual(new uint[] { 1 }, keys[1]);
    }

    [TestMethod]
    public void MapKeyToValueRecoversTheLabels()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromNerSentences(Sentences);

        var text = mlContext.Transforms.Conversion.MapKeyToValue("LabelText", NerColumnNames.Label).Fit(data).Transform(data);

        var labels = text.GetColumn<string[]>("LabelText").ToArray();
        CollectionAssert.AreEqual(Sentences[0].Labels.ToArray(), labels[0]);
        CollectionAssert.AreEqual(Sentences[1].Labels.ToArray(), labels[1]);
    }

    [TestMethod]
    public void AGivenLabelSetKeepsKeysStableAndRejectsUnknownLabels()
    {
        var set = NerLabelSet.FromTypes(["person", "location", "group"]);
        var data = new MLContext(seed: 1).Data.LoadFromNerSentences(Sentences, set);

        Assert.AreEqual(7UL, ((KeyDataViewType)((VectorDataViewType)data.Schema[NerColumnNames.Label].Type).ItemType).Count);
        CollectionAssert.AreEqual(new uint[] { 6, 1, 4, 5, 1 }, data.GetColumn<VBuffer<uint>>(NerColumnNames.Label).First().DenseValues().ToArray());

        var error = Assert.ThrowsExactly<ArgumentException>(
            () => new MLContext(seed: 1).Data.LoadFromNerSentences(Sentences, NerLabelSet.FromTypes(["person"])));
        StringAssert.Contains(error.Message, "Sentence 0");
        StringAssert.Contains(error.Message, "B-location");
    }

    [TestMethod]
    public void LoadsACoNllFile()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("small.conll");
        File.WriteAllText(path, "Alice\tB-person\nsings\tO\n\t\nBob\tB-person\n");
        var data = new MLContext(seed: 1).Data.LoadFromConll(path);
        CollectionAssert.AreEqual(new[] { "Alice sings", "Bob" }, data.GetColumn<string>(NerColumnNames.Sentence).ToArray());
        CollectionAssert.AreEqual(new[] { "Alice", "sings" }, data.GetColumn<string[]>(NerColumnNames.Words).First());
    }
}
