using Megalodon.ML.Inference;
using Megalodon.ML.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Inference;

[TestClass]
public sealed class SequenceScorerTests
{
    private static int[] RandomIds(int length, int seed) { var r = new Random(seed); return Enumerable.Range(0, length).Select(_ => r.Next(0, 23)).ToArray(); }

    [TestMethod]
    public void NllEqualsCrossEntropyOfTheFullForward()
    {
        var model = StreamingTests.PerturbedModel(StreamingTests.TinyConfig(), 1);
        var ids = RandomIds(16, 1);   // 16 = two chunks: a legal full-forward length
        var score = new SequenceScorer(model, PoolingMode.LastToken, startTokenId: null).Score([ids])[0];
        using var tokens = tensor(ids.Select(i => (long)i).ToArray()).view(1, 16);
        using var logits = model.forward(tokens);
        using var loss = nn.functional.cross_entropy(logits[0, ..15], tokens[0, 1..]);
        Assert.AreEqual(loss.item<float>(), score.MeanNegativeLogLikelihood, 1e-5);
        Assert.AreEqual(15, score.ScoredTokens);
        Assert.AreEqual(Math.Exp(score.MeanNegativeLogLikelihood), score.Perplexity, 1e-12);
    }

    [TestMethod]
    public void StreamingAndBatchedPathsAgree()
    {
        var model = StreamingTests.PerturbedModel(StreamingTests.TinyConfig(chunk: 8), 2);
        var sequences = new[] { RandomIds(45, 3), RandomIds(7, 4), RandomIds(30, 5) };
        foreach (var pooling in new[] { PoolingMode.LastToken, PoolingMode.Mean })
        {
            var batched = new SequenceScorer(model, pooling, startTokenId: 22, maxBatchedLength: 1000).Score(sequences);
            var streamed = new SequenceScorer(model, pooling, startTokenId: 22, maxBatchedLength: 1).Score(sequences);
            for (int i = 0; i < sequences.Length; i++)
            {
                Assert.AreEqual(batched[i].MeanNegativeLogLikelihood, streamed[i].MeanNegativeLogLikelihood, 1e-5, $"row {i} {pooling}");
                Assert.AreEqual(sequences[i].Length, batched[i].ScoredTokens);
                Assert.AreEqual(16, batched[i].Embedding.Length);
                for (int d = 0; d < 16; d++) Assert.AreEqual(batched[i].Embedding[d], streamed[i].Embedding[d], 1e-4, $"row {i} dim {d} {pooling}");
            }
        }
    }

    [TestMethod]
    public void PaddingInABatchChangesNothing()
    {
        var model = StreamingTests.PerturbedModel(StreamingTests.TinyConfig(), 3);
        var shortIds = RandomIds(5, 6);
        var scorer = new SequenceScorer(model, PoolingMode.Mean, startTokenId: 0);
        var alone = scorer.Score([shortIds])[0];
        var together = scorer.Score([shortIds, RandomIds(29, 7)])[0];
        Assert.AreEqual(alone.MeanNegativeLogLikelihood, together.MeanNegativeLogLikelihood, 1e-6);
        for (int d = 0; d < alone.Embedding.Length; d++)
            Assert.AreEqual(alone.Embedding[d], together.Embedding[d], 1e-5, $"dim {d}");
    }

    [TestMethod]
    public void BadSequencesGetClearErrors()
    {
        var model = StreamingTests.PerturbedModel(StreamingTests.TinyConfig(), 4);
        var scorer = new SequenceScorer(model, PoolingMode.LastToken, startTokenId: null);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => scorer.Score([[1, 2], []])).Message, "Sequence 1 is empty");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => scorer.Score([[1, 99]])).Message, "token id 99");
    }
}
