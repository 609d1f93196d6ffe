using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Ner;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class NerDataViewEvaluationTests
{
    internal sealed class Row
    {
        public string[] Gold { get; set; } = [];
        public string[] Guess { get; set; } = [];
    }

    internal sealed class KeyName
    {
        public string Value { get; set; } = "";
    }

    private static IDataView Keyed(MLContext mlContext, Row[] rows)
    {
        var data = mlContext.Data.LoadFromEnumerable(rows);
        // The predicted column keys its labels in another order and leaves O out (key 0), as ML.NET's NER sample does.
        var guessKeys = mlContext.Data.LoadFromEnumerable(new[] { "B-per", "I-per", "B-org", "B-loc", "I-loc" }.Select(v => new KeyName { Value = v }));
        return mlContext.Transforms.Conversion.MapValueToKey(NerColumnNames.Label, nameof(Row.Gold))
            .Append(mlContext.Transforms.Conversion.MapValueToKey(NerColumnNames.PredictedLabel, nameof(Row.Guess), keyData: guessKeys))
            .Fit(data).Transform(data);
    }

    [TestMethod]
    public void ScoresKeyVectorColumnsThroughTheirOwnKeyValues()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Keyed(mlContext,
        [
            new Row { Gold = "B-per I-per O B-loc O".Split(' '), Guess = "B-per I-per O B-org O".Split(' ') },
            new Row { Gold = "B-loc I-loc O B-per".Split(' '), Guess = "B-loc O O B-per".Split(' ') },
        ]);

        var metrics = mlContext.MulticlassClassification.EvaluateNer(data);

        // The hand count of NerEvaluatorTests: 2 of 4 entities right both ways; token F1 per 1, loc 1/2, org 0.
        Assert.AreEqual(2, metrics.SentenceCount);
        Assert.AreEqual(0.5, metrics.Precision, 1e-12);
        Assert.AreEqual(0.5, metrics.Recall, 1e-12);
        Assert.AreEqual(0.5, metrics.TokenMacroF1, 1e-12);
        CollectionAssert.AreEqual(new[] { "loc", "org", "per" }, metrics.PerType.Select(t => t.Type).ToArray());
    }

    [TestMethod]
    public void BadColumnsAndRowsAreNamed()
    {
        var mlContext = new MLContext(seed: 1);
        var plain = mlContext.Data.LoadFromEnumerable(new[] { new Row { Gold = ["O"], Guess = ["O"] } });
        var notKeys = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.EvaluateNer(plain, "Gold", "Guess"));
        StringAssert.Contains(notKeys.Message, "'Gold'");
        StringAssert.Contains(notKeys.Message, "vector of UInt32 keys");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.EvaluateNer(plain));
        StringAssert.Contains(missing.Message, "'Label'");

        var ragged = Keyed(mlContext, [new Row { Gold = ["O", "B-per"], Guess = ["O", "B-per"] }, new Row { Gold = ["O", "O"], Guess = ["O"] }]);
        var length = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.MulticlassClassification.EvaluateNer(ragged));
        StringAssert.StartsWith(length.Message, "Row 1:");
    }
}
