using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class NerEvaluatorTests
{
    private const double Tolerance = 1e-12;

    private static string[] L(string labels) => labels.Split(' ');

    private static NerSentence Gold(string labels) => new(L(labels).Select((_, i) => "w" + i).ToArray(), L(labels));

    [TestMethod]
    public void MicroPerTypeAndTokenMacroScoresMatchAHandCount()
    {
        // Gold entities: per[0,2) loc[3,4) | loc[0,2) per[3,4). Predicted: per[0,2) org[3,4) | loc[0,1) per[3,4).
        // Correct: the two per spans. Micro P = R = F1 = 2/4.
        // Words: per gold 3, predicted 3, both 3 -> 1; loc gold 3, predicted 1, both 1 -> 2/4; org predicted 1 -> 0.
        var metrics = NerEvaluator.Evaluate(
            [Gold("B-per I-per O B-loc O"), Gold("B-loc I-loc O B-per")],
            [L("B-per I-per O B-org O"), L("B-loc O O B-per")]);

        Assert.AreEqual(2, metrics.SentenceCount);
        Assert.AreEqual(9, metrics.WordCount);
        Assert.AreEqual(4, metrics.GoldEntities);
        Assert.AreEqual(4, metrics.PredictedEntities);
        Assert.AreEqual(2, metrics.CorrectEntities);
        Assert.AreEqual(0.5, metrics.Precision, Tolerance);
        Assert.AreEqual(0.5, metrics.Recall, Tolerance);
        Assert.AreEqual(0.5, metrics.F1, Tolerance);
        CollectionAssert.AreEqual(new[] { "loc", "org", "per" }, metrics.PerType.Select(t => t.Type).ToArray());
        Assert.AreEqual(1.0, metrics.ForType("per").F1, Tolerance);
        Assert.AreEqual(0.0, metrics.ForType("loc").F1, Tolerance);
        Assert.AreEqual(0.0, metrics.ForType("loc").Precision, Tolerance);
        Assert.AreEqual(0.0, metrics.ForType("org").Recall, Tolerance);
        Assert.AreEqual(1.0 / 3, metrics.MacroF1, Tolerance);
        Assert.AreEqual(1.0, metrics.ForType("per").TokenF1, Tolerance);
        Assert.AreEqual(0.5, metrics.ForType("loc").TokenF1, Tolerance);
        Assert.AreEqual(0.0, metrics.ForType("org").TokenF1, Tolerance);
        Assert.AreEqual(0.5, metrics.TokenMacroF1, Tolerance);
        Assert.ThrowsExactly<KeyNotFoundException>(() => metrics.ForType("misc"));
    }

    [TestMethod]
    public void InvalidSequencesAreScoredAfterTheSameRepair()
    {
        // A prediction written with stray I- labels is the same entity.
        var repaired = NerEvaluator.Evaluate([Gold("B-x I-x I-x")], [L("I-x I-x I-x")]);
        Assert.AreEqual(1.0, repaired.F1, Tolerance);
        Assert.AreEqual(1.0, repaired.TokenMacroF1, Tolerance);

        // B-x I-y I-x is three entities x[0,1) y[1,2) x[2,3), none matching gold x[0,3).
        // Words: x gold 3, predicted 2, both 2 -> 4/5; y predicted 1 -> 0; macro 0.4.
        var broken = NerEvaluator.Evaluate([Gold("B-x I-x I-x")], [L("B-x I-y I-x")]);
        Assert.AreEqual(3, broken.PredictedEntities);
        Assert.AreEqual(0.0, broken.F1, Tolerance);
        Assert.AreEqual(0.8, broken.ForType("x").TokenF1, Tolerance);
        Assert.AreEqual(0.4, broken.TokenMacroF1, Tolerance);
    }

    [TestMethod]
    public void PartialAndTypeMismatchesAreWrongAndCountRecall()
    {
        // Gold a[0,2) b[3,5); predicted a[0,2) (correct), a[3,5) (wrong type), a[5,6) (spurious).
        var evaluator = new NerEvaluator();
        evaluator.Add(L("B-a I-a O B-b I-b O"), L("B-a I-a O B-a I-a B-a"));
        var metrics = evaluator.Compute();

        Assert.AreEqual(1.0 / 3, metrics.Precision, Tolerance);
        Assert.AreEqual(1.0 / 2, metrics.Recall, Tolerance);
        Assert.AreEqual(2.0 / 5, metrics.F1, Tolerance);
        // Words: a gold 2, predicted 5, both 2 -> 4/7; b gold 2, predicted 0 -> 0.
        Assert.AreEqual((4.0 / 7 + 0) / 2, metrics.TokenMacroF1, Tolerance);
    }

    [TestMethod]
    public void NothingPredictedScoresZeroWithoutDividingByZero()
    {
        var metrics = NerEvaluator.Evaluate([Gold("B-x O")], [L("O O")]);

        Assert.AreEqual(0.0, metrics.Precision);
        Assert.AreEqual(0.0, metrics.Recall);
        Assert.AreEqual(0.0, metrics.F1);
        Assert.AreEqual(0.0, metrics.TokenMacroF1);
        Assert.AreEqual(0.0, new NerEvaluator().Compute().TokenMacroF1);
    }

    [TestMethod]
    public void MismatchedInputsAreRejected()
    {
        var length = Assert.ThrowsExactly<ArgumentException>(() => NerEvaluator.Evaluate([Gold("O O"), Gold("B-x O O")], [L("O O"), L("O O")]));
        StringAssert.Contains(length.Message, "Sentence 1 has 3 gold labels but 2");
        Assert.ThrowsExactly<ArgumentException>(() => NerEvaluator.Evaluate([Gold("O")], []));
        Assert.ThrowsExactly<FormatException>(() => NerEvaluator.Evaluate([Gold("O")], [L("X-y")]));
    }
}
