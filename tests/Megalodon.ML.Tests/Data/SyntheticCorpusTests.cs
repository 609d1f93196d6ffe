using Megalodon.ML.Data;
using Megalodon.ML.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Data;

[TestClass]
public sealed class SyntheticCorpusTests
{
    private static readonly SyntheticCorpusOptions Small = SyntheticCorpusOptions.Default with { DocumentCount = 40 };

    [TestMethod]
    public void SameSeedSameCorpusOtherSeedOtherCorpus()
    {
        var a = new SyntheticCorpus(Small);
        var b = new SyntheticCorpus(Small);
        var c = new SyntheticCorpus(Small with { Seed = 2 });
        Assert.AreEqual(a.ToText(), b.ToText());
        CollectionAssert.AreEqual(a.ToByteTokens().Tokens, b.ToByteTokens().Tokens);
        Assert.AreNotEqual(a.ToText(), c.ToText());
        // A document depends on its index only, not on how many documents there are.
        var alone = new SyntheticCorpus(Small with { DocumentCount = 8 }).Documents[7];
        Assert.AreEqual(a.Documents[7].Text, alone.Text);
        CollectionAssert.AreEqual(a.Documents[7].Recalls.ToArray(), alone.Recalls.ToArray());
    }

    [TestMethod]
    public void PinnedFirstDocumentOpening()
    {
        // Guards the generator against accidental changes: corpora must stay reproducible across versions.
        var doc = new SyntheticCorpus(SyntheticCorpusOptions.Default with { DocumentCount = 1 }).Documents[0];
        Assert.AreEqual(doc.Key, doc.Text.Substring(doc.IntroductionStart, doc.Key.Length));
        Assert.AreEqual(PinnedOpening, doc.Text[..60]);
    }

    private const string PinnedOpening = "Listen well: the captain's name is Bibilu. The soldier forgo";

    [TestMethod]
    public void RecallsRepeatTheKeyFarFromItsPreviousMention()
    {
        var corpus = new SyntheticCorpus(Small);
        const int chunk = 256; // the Bench/Small presets' attention chunk
        var total = 0;
        foreach (var doc in corpus.Documents)
        {
            Assert.IsTrue(doc.Recalls.Count >= 1);
            Assert.AreEqual(doc.Key, doc.Text.Substring(doc.IntroductionStart, doc.Key.Length));
            var previous = doc.IntroductionStart;
            foreach (var r in doc.Recalls)
            {
                Assert.AreEqual(doc.Key, doc.Text.Substring(r.Start, r.Length));
                Assert.AreEqual(previous, r.PreviousStart);
                Assert.IsTrue(r.Distance >= Small.MinRecallDistance, $"distance {r.Distance}");
                Assert.IsTrue(r.Distance > chunk);
                // The key appears nowhere between its mentions: the filler never gives it away.
                Assert.AreEqual(-1, doc.Text.IndexOf(doc.Key, r.PreviousEnd, r.Start - r.PreviousEnd, StringComparison.Ordinal));
                Assert.IsTrue(r.Distance <= Small.MaxRecallDistance + 120, $"distance {r.Distance}");
                previous = r.Start;
                total++;
            }
            Assert.IsTrue(doc.Text.Length >= Small.MinDocumentLength);
            Assert.IsTrue(doc.Text.Length <= Small.MaxDocumentLength + Small.MaxRecallDistance + 200, $"length {doc.Text.Length}");
            Assert.IsTrue(doc.Text.All(ch => ch is '\n' or (>= ' ' and < (char)127)), "ASCII only");
        }
        Assert.IsTrue(total >= 2 * corpus.Documents.Count, $"{total} recalls");
        Assert.AreEqual(40, corpus.Documents.Select(d => d.Key).Distinct().Count(), "keys come from a large set");
    }

    [TestMethod]
    public void KeySetSizeAndChanceLoss()
    {
        var corpus = new SyntheticCorpus(Small);
        Assert.AreEqual(343_000, corpus.KeyCount);
        Assert.AreEqual(Math.Log(343_000), corpus.ChanceRecallLoss, 1e-12);
        Assert.AreEqual(70, SyntheticCorpus.KeyCountFor(1));
        Assert.IsTrue(corpus.Documents.All(d => d.Key.Length == 6 && char.IsUpper(d.Key[0])));
    }

    [TestMethod]
    public void ByteStreamSeparatesDocumentsAndMapsSpans()
    {
        var corpus = new SyntheticCorpus(Small);
        var stream = corpus.ToByteTokens();
        Assert.AreEqual(257, stream.VocabularySize);
        Assert.AreEqual(corpus.Documents.Count, stream.Tokens.Count(t => t == 256));
        Assert.AreEqual(corpus.Documents.Sum(d => d.Recalls.Count), stream.RecallSpans.Count);
        Assert.IsTrue(stream.Tokens.All(t => t is >= 0 and <= 256));
        for (var d = 0; d < corpus.Documents.Count; d++)
        {
            var start = stream.DocumentStarts[d];
            Assert.AreEqual(256, stream.Tokens[start + corpus.Documents[d].Text.Length]);
        }
        var doc = 0;
        foreach (var span in stream.RecallSpans)
        {
            while (doc + 1 < stream.DocumentStarts.Count && stream.DocumentStarts[doc + 1] <= span.Start) doc++;
            var key = corpus.Documents[doc].Key;
            var bytes = stream.Tokens.AsSpan(span.Start, span.Length).ToArray().Select(t => (char)t);
            Assert.AreEqual(key, new string(bytes.ToArray()));
            Assert.AreEqual(key, new string(stream.Tokens.AsSpan(span.PreviousStart, span.Length).ToArray().Select(t => (char)t).ToArray()));
        }
    }

    [TestMethod]
    public void ProbeGivesExactLossForAUniformModelAndCountsSpansOutOfContext()
    {
        var stream = new SyntheticCorpus(Small with { DocumentCount = 4 }).ToByteTokens();
        using var uniform = new UniformModel(stream.VocabularySize);
        var wide = RecallProbe.Measure(uniform, stream, contextLength: 1024, batchSize: 3);
        Assert.AreEqual(stream.RecallSpans.Count, wide.Spans);
        Assert.AreEqual(6 * Math.Log(257), wide.MeanKeyLoss, 1e-4);
        Assert.AreEqual(Math.Log(257), wide.MeanTokenLoss, 1e-5);
        Assert.AreEqual(Math.Log(343_000), wide.ChanceKeyLoss, 1e-12);
        Assert.AreEqual(0, wide.SpansOutOfContext, "a 1024-token window reaches back past every previous mention");

        var narrow = RecallProbe.Measure(uniform, stream, contextLength: 64, maxSpans: 5);
        Assert.AreEqual(5, narrow.Spans);
        Assert.AreEqual(5, narrow.SpansOutOfContext);
    }

    [TestMethod]
    public void TrainsOnTheByteStreamAndProbesRecall()
    {
        // The whole path the pretraining job takes: corpus → byte stream → windows → trainer → probe.
        var train = new SyntheticCorpus(Small with { DocumentCount = 8 }).ToByteTokens();
        var heldOut = new SyntheticCorpus(Small with { DocumentCount = 2, Seed = 99 }).ToByteTokens();
        using var model = TinyLanguageModel.Create(seed: 1, vocab: train.VocabularySize, dim: 16);
        var options = new Megalodon.ML.Training.LanguageModelTrainerOptions
        {
            BatchSize = 4,
            SequenceLength = 32,
            TotalSteps = 20,
            Schedule = new Megalodon.ML.Training.ConstantSchedule(1e-2),
            ValidationBatches = 2,
        };
        using var trainer = new Megalodon.ML.Training.LanguageModelTrainer(
            model, options,
            new Megalodon.ML.Training.PackedTokenWindowSource(train.Tokens, 32, seed: 1),
            new Megalodon.ML.Training.PackedTokenWindowSource(heldOut.Tokens, 32, shuffle: false));
        var result = trainer.Train();
        Assert.IsTrue(result.History[^1].Loss < result.History[0].Loss);
        Assert.IsTrue(result.FinalValidation!.Loss < Math.Log(257));

        var probe = RecallProbe.Measure(model, heldOut, contextLength: 32);
        Assert.AreEqual(heldOut.RecallSpans.Count, probe.Spans);
        Assert.AreEqual(probe.Spans, probe.SpansOutOfContext, "a 32-token window cannot see the earlier mention");
        Assert.IsTrue(double.IsFinite(probe.MeanKeyLoss) && probe.MeanKeyLoss > 0);
    }

    [TestMethod]
    public void OptionsAreValidated()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SyntheticCorpus(Small with { MaxRecallDistance = 10 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SyntheticCorpus(Small with { DocumentCount = 0 }));
    }

    /// <summary>Logits all zero: every token has probability 1/V.</summary>
    private sealed class UniformModel : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter bias;
        private readonly int vocab;

        public UniformModel(int vocab) : base(nameof(UniformModel))
        {
            this.vocab = vocab;
            bias = new TorchSharp.Modules.Parameter(torch.zeros(1));
            RegisterComponents();
        }

        public override Tensor forward(Tensor tokens) => torch.zeros(tokens.shape[0], tokens.shape[1], vocab) + bias;
    }
}
