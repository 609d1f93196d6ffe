using Megalodon.ML.Encoder;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Ner;
using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class NuNerTrainerTests
{
    /// <summary>A one-layer tiny tagger that fits the toy sentences exactly within 12 epochs.</summary>
    internal static NuNerTrainer.Options Options() => new()
    {
        EncoderConfig = EncoderPresets.Tiny() with { NumLayers = 1, ChunkSize = 8 },
        MaxEpochs = 12,
        BatchSize = 8,
        LearningRate = 3e-3,
        Seed = 1,
    };

    private static (MLContext Ml, IDataView Data, NuNerTransformer Model) Fit(NuNerTrainer.Options? options = null)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(32));
        var model = ml.MulticlassClassification.Trainers.NuNer(options ?? Options()).Fit(data);
        return (ml, data, model);
    }

    private static string[][] PredictedLabels(MLContext ml, ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        var text = ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel").Fit(scored).Transform(scored);
        return text.GetColumn<VBuffer<ReadOnlyMemory<char>>>("PredictedText").Select(v => v.DenseValues().Select(x => x.ToString()).ToArray()).ToArray();
    }

    [TestMethod]
    public void FitsATinySyntheticSetAndReportsTheEntities()
    {
        var (ml, data, model) = Fit();
        using var _ = model;
        var predicted = PredictedLabels(ml, model, data);
        Assert.HasCount(32, predicted);
        foreach (var labels in predicted)
            CollectionAssert.AreEqual(new[] { "B-person", "O", "O", "B-city", "O" }, labels);
        var entities = model.Transform(data).GetColumn<VBuffer<ReadOnlyMemory<char>>>("Entities").First().DenseValues().Select(e => e.ToString()).ToArray();
        CollectionAssert.AreEqual(new[] { "person:0-1", "city:3-4" }, entities);

        var type = (VectorDataViewType)model.Transform(data).Schema["PredictedLabel"].Type;
        Assert.AreEqual(((VectorDataViewType)data.Schema["Label"].Type).ItemType, type.ItemType);
    }

    [TestMethod]
    public void SaveAndLoadInAFreshContextGiveIdenticalPredictions()
    {
        using var scratch = new ScratchFolder();
        var (ml, data, model) = Fit();
        using var owned = model;
        ml.Model.Save(model, data.Schema, scratch.File("ner.zip"));
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(scratch.File("ner.zip"), out _);
        Assert.IsInstanceOfType<NuNerTransformer>(loaded);
        var before = model.Transform(data).GetColumn<VBuffer<uint>>("PredictedLabel").Select(v => v.DenseValues().ToArray()).ToArray();
        var after = loaded.Transform(data).GetColumn<VBuffer<uint>>("PredictedLabel").Select(v => v.DenseValues().ToArray()).ToArray();
        for (int i = 0; i < before.Length; i++)
            CollectionAssert.AreEqual(before[i], after[i]);
        var original = ((NuNerTransformer)loaded).Classifier.StateTensors();
        var trained = model.Classifier.StateTensors();
        foreach (var (name, tensor) in trained)
            Assert.IsTrue(tensor.allclose(original[name], 0, 0), $"weight {name} differs after loading");
        CollectionAssert.AreEqual(PredictedLabels(ml, model, data).SelectMany(x => x).ToArray(), PredictedLabels(fresh, loaded, data).SelectMany(x => x).ToArray());
    }

    private sealed class SentenceInput
    {
        public string Sentence { get; set; } = "";
    }

    private sealed class TagOutput
    {
        [ColumnName("PredictedLabel")]
        public uint[] Keys { get; set; } = [];
        public string[] Entities { get; set; } = [];
    }

    [TestMethod]
    public void PredictionEngineTagsOneSentence()
    {
        var (ml, _, model) = Fit();
        using var __ = model;
        using var scratch = new ScratchFolder();
        var schema = ml.Data.LoadFromEnumerable([new SentenceInput()]).Schema;
        ml.Model.Save(model, schema, scratch.File("ner.zip"));
        foreach (var transformer in new[] { (ITransformer)model, new MLContext().Model.Load(scratch.File("ner.zip"), out _) })
        {
            var engine = ml.Model.CreatePredictionEngine<SentenceInput, TagOutput>(transformer);
            var output = engine.Predict(new SentenceInput { Sentence = "carol  went to rome today" });
            Assert.HasCount(5, output.Keys);
            CollectionAssert.AreEqual(new[] { "person:0-1", "city:3-4" }, output.Entities);
            var empty = engine.Predict(new SentenceInput { Sentence = "  " });
            Assert.IsEmpty(empty.Keys);
        }
    }

    [TestMethod]
    public void BothCatalogsGiveTheSameTrainer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(8));
        var options = Options();
        options.MaxEpochs = 1;
        using var a = ml.Transforms.Megalodon().NuNer(options).Fit(data);
        using var b = ml.MulticlassClassification.Trainers.NuNer(options).Fit(data);
        var wa = a.Classifier.StateTensors();
        var wb = b.Classifier.StateTensors();
        foreach (var (name, tensor) in wa)
            Assert.IsTrue(tensor.allclose(wb[name], 0, 0), name);
        using var simple = ml.Transforms.Megalodon().NuNer(maxEpochs: 1, seed: 1).Fit(data);
        Assert.IsNotNull(simple.Transform(data).Schema.GetColumnOrNull("Entities"));
    }

    [TestMethod]
    public void WordsPastMaxTokensGetRealPredictionsInEveryApi()
    {
        var options = Options();
        options.MaxTokens = 40; // a toy sentence is 20-24 bytes; a 400-word sentence is about 2,000
        var (ml, _, model) = Fit(options);
        using var __ = model;
        var longSentence = EncoderToyData.LongSentence();
        var words = longSentence.Words.ToArray();
        var gold = longSentence.Labels.ToArray();
        Assert.HasCount(400, words);

        // NuNerTransformer.Predict, Transform and a PredictionEngine all read the whole sentence.
        var direct = model.Predict([words])[0];
        CollectionAssert.AreEqual(gold, direct.Labels);
        Assert.HasCount(160, direct.Entities);
        var row = ml.Data.LoadFromEnumerable([new SentenceInput { Sentence = string.Join(' ', words) }]);
        var keys = model.Transform(row).GetColumn<VBuffer<uint>>("PredictedLabel").Single().DenseValues().ToArray();
        CollectionAssert.AreEqual(direct.Keys, keys);
        var engine = ml.Model.CreatePredictionEngine<SentenceInput, TagOutput>(model);
        CollectionAssert.AreEqual(direct.Keys, engine.Predict(new SentenceInput { Sentence = string.Join(' ', words) }).Keys);
    }

    private sealed class TextLabelRow
    {
        public string Sentence { get; set; } = "";
        public string[] Label { get; set; } = [];
    }

    private sealed class NumberLabelRow
    {
        public string Sentence { get; set; } = "";
        public float[] Label { get; set; } = [];
    }

    [TestMethod]
    public void ALabelColumnThatIsNeitherKeysNorTextIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new NumberLabelRow { Sentence = "bob went", Label = [1, 0] }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.NuNer(Options()).Fit(data));
        StringAssert.Contains(error.Message, "Label");
        StringAssert.Contains(error.Message, "vector of keys or vector of text");
    }

    [TestMethod]
    public void TextLabelsNeedNoLabelSetAndGiveADiscoverableKeyType()
    {
        var ml = new MLContext(seed: 1);
        var rows = EncoderToyData.Sentences(32).Select(s => new TextLabelRow { Sentence = s.Text, Label = s.Labels.ToArray() }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var dev = ml.Data.LoadFromEnumerable(EncoderToyData.Sentences(8, seed: 9).Select(s => new TextLabelRow { Sentence = s.Text, Label = s.Labels.ToArray() }));
        var options = Options();
        options.ValidationSet = dev;
        options.EarlyStoppingPatience = 0;
        using var model = ml.MulticlassClassification.Trainers.NuNer(options).Fit(data);
        CollectionAssert.AreEqual(new[] { "O", "B-city", "I-city", "B-person", "I-person" }, model.LabelNames.ToArray());
        Assert.AreEqual(5UL, model.OutputKeyType.Count);
        var scored = model.Transform(data);
        Assert.AreEqual(model.OutputKeyType, ((VectorDataViewType)scored.Schema["PredictedLabel"].Type).ItemType);
        // The output keys read back as names without any label-set call, and score against the text labels' keys.
        var text = ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel").Fit(scored).Transform(scored);
        var first = text.GetColumn<VBuffer<ReadOnlyMemory<char>>>("PredictedText").First().DenseValues().Select(x => x.ToString()).ToArray();
        CollectionAssert.AreEqual(rows[0].Label, first);
        Assert.IsNotNull(model.TrainingResult);
        Assert.IsNotEmpty(model.TrainingResult.Validation);
        Assert.AreEqual(1.0, model.TrainingResult.Best!.Score, 1e-9);
    }

    [TestMethod]
    public void AStepBudgetSmallerThanAnEpochIsHonoured()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(64));
        var options = Options();
        options.MaxSteps = 3;
        using var model = ml.MulticlassClassification.Trainers.NuNer(options).Fit(data);
        Assert.HasCount(3, model.TrainingResult!.Losses);

        options = Options();
        options.TokenBudget = 8 * 20; // less than one step of 8 toy sentences (20-24 bytes each): rounds up to one step
        using var byTokens = ml.MulticlassClassification.Trainers.NuNer(options).Fit(data);
        Assert.HasCount(1, byTokens.TrainingResult!.Losses);
    }

    [TestMethod]
    public void ValidationIsCheckedAndTheKeptWeightsScoreTheBestCheck()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(32));
        var dev = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(8, seed: 5));
        var checks = new List<Megalodon.ML.Encoder.ValidationCheck>();
        var options = Options();
        options.MaxEpochs = 6;
        options.ValidationSet = dev;
        options.ValidationInterval = 4;
        options.EarlyStoppingPatience = 0;
        options.OnValidation = checks.Add;
        using var model = ml.MulticlassClassification.Trainers.NuNer(options).Fit(data);
        var result = model.TrainingResult!;
        CollectionAssert.AreEqual(new[] { 4, 8, 12, 16, 20, 24 }, checks.Select(c => c.Step).ToArray());
        CollectionAssert.AreEqual(checks, result.Validation.ToList());
        Assert.IsFalse(result.StoppedEarly);
        // The model holds the best check's weights: scoring dev again gives that check's F1.
        Assert.AreEqual(result.Best!.Score, ml.MulticlassClassification.EvaluateNer(model.Transform(dev)).F1, 1e-9);
    }

    private sealed class KeyRow
    {
        public string Sentence { get; set; } = "";
        [KeyType(3)]
        public uint[] Label { get; set; } = [];
    }

    private static IDataView KeyData(MLContext ml, params KeyRow[] rows)
    {
        var schema = SchemaDefinition.Create(typeof(KeyRow));
        var names = new VBuffer<ReadOnlyMemory<char>>(3, ["O".AsMemory(), "B-person".AsMemory(), "I-person".AsMemory()]);
        schema["Label"].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), 3));
        schema["Label"].AddAnnotation("KeyValues", names, new VectorDataViewType(TextDataViewType.Instance, 3));
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    [TestMethod]
    public void MoreWordsThanLabelsIsRejectedWithTheRow()
    {
        var ml = new MLContext(seed: 1);
        var data = KeyData(ml, new KeyRow { Sentence = "bob went", Label = [2, 1] }, new KeyRow { Sentence = "alice went home", Label = [2, 1] });
        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NuNer(Options()).Fit(data));
        StringAssert.Contains(error.Message, "Row 1");
        StringAssert.Contains(error.Message, "3 words");
        StringAssert.Contains(error.Message, "2 labels");
    }

    [TestMethod]
    public void AnEmptySentenceIsRejectedWithTheRow()
    {
        var ml = new MLContext(seed: 1);
        var data = KeyData(ml, new KeyRow { Sentence = "bob", Label = [2] }, new KeyRow { Sentence = " \t ", Label = [] });
        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NuNer(Options()).Fit(data));
        StringAssert.Contains(error.Message, "Row 1");
        StringAssert.Contains(error.Message, "empty");
    }

    [TestMethod]
    public void KeyValuesThatAreNotBioLabelsAreRejected()
    {
        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(KeyRow));
        schema["Label"].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), 3));
        schema["Label"].AddAnnotation("KeyValues", new VBuffer<ReadOnlyMemory<char>>(3, ["O".AsMemory(), "person".AsMemory(), "X-y".AsMemory()]),
            new VectorDataViewType(TextDataViewType.Instance, 3));
        var data = ml.Data.LoadFromEnumerable([new KeyRow { Sentence = "bob", Label = [2] }], schema);
        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NuNer(Options()).Fit(data));
        StringAssert.Contains(error.Message, "'person'");
        StringAssert.Contains(error.Message, "BIO");
    }

    [TestMethod]
    public void AMissingSentenceColumnIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(2));
        var options = Options();
        options.Sentence1ColumnName = "Text";
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Megalodon().NuNer(options).Fit(data));
        StringAssert.Contains(error.Message, "Text");
    }
}
