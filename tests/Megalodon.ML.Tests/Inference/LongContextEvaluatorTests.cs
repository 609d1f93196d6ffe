using Megalodon.ML.Inference;
using Megalodon.ML.Tests.Model;

namespace Megalodon.ML.Tests.Inference;

[TestClass]
public sealed class LongContextEvaluatorTests
{
    [TestMethod]
    public void ScoresTheSameTokensAtEveryLength()
    {
        var model = StreamingTests.PerturbedModel(StreamingTests.TinyConfig(chunk: 8), 5);
        var random = new Random(1);
        var document = Enumerable.Range(0, 70).Select(_ => random.Next(0, 22)).ToArray();
        var points = LongContextEvaluator.Evaluate(model, document, [32, 8, 16], startTokenId: 22);
        CollectionAssert.AreEqual(new[] { 8, 16, 32 }, points.Select(p => p.ContextLength).ToArray());
        Assert.IsTrue(points.All(p => p.ScoredTokens == 64), "each length scores the 64 tokens of two full 32-token windows");
        Assert.IsTrue(points.All(p => p.Perplexity > 1 && double.IsFinite(p.Perplexity)));
    }

    [TestMethod]
    public void RejectsADocumentShorterThanTheLongestContext()
    {
        var model = StreamingTests.PerturbedModel(StreamingTests.TinyConfig(), 6);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => LongContextEvaluator.Evaluate(model, [1, 2, 3], [8], null));
        StringAssert.Contains(ex.Message, "fewer than the longest context length 8");
    }
}
