using Megalodon.ML.Encoder;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class EncoderPretrainingTests
{
    [TestMethod]
    public void MaskedLanguageModelLossDecreases()
    {
        using var encoder = EncoderToyData.Encoder();
        var texts = EncoderToyData.Sentences(64).Select(s => s.Text).ToList();
        var result = MaskedLanguageModelTrainer.Train(encoder, texts, new EncoderTrainingSettings { Steps = 60, BatchSize = 8, WarmupSteps = 5, LearningRate = 3e-3 });
        Assert.HasCount(60, result.Losses);
        Assert.IsLessThan(result.MeanOfFirst(10) * 0.6, result.MeanOfLast(10));
    }

    [TestMethod]
    public void WholeWordsAreMasked()
    {
        var ids = EncodedText.Encode("alpha beta gamma").Ids;
        var (inputs, targets) = MaskedLanguageModelTrainer.Mask([ids], 0.5, new Random(4));
        var words = MaskedLanguageModelTrainer.Words(ids);
        Assert.HasCount(3, words);
        foreach (var (start, length) in words)
        {
            var predicted = Enumerable.Range(start, length).Select(i => targets[0][i] >= 0).Distinct().ToList();
            Assert.HasCount(1, predicted, "a word is predicted as a whole or not at all");
        }
        Assert.IsTrue(targets[0].Any(t => t >= 0), "at least one word is predicted");
        Assert.IsTrue(Enumerable.Range(0, ids.Length).Where(i => ids[i] == ' ').All(i => inputs[0][i] == ' ' && targets[0][i] < 0), "spaces are never masked");
    }

    [TestMethod]
    public void ConceptContrastiveLossDecreasesAndZeroShotTaggingFindsTheConcepts()
    {
        using var encoder = EncoderToyData.Encoder();
        using var concepts = new ConceptEncoder(encoder);
        var result = ConceptContrastiveTrainer.Train(encoder, concepts, EncoderToyData.ConceptSentences(64),
            new EncoderTrainingSettings { Steps = 60, BatchSize = 8, WarmupSteps = 5, LearningRate = 3e-3 });
        Assert.IsLessThan(result.MeanOfFirst(5) * 0.5, result.MeanOfLast(5));

        var sentence = EncodedWords.FromWords(["bob", "went", "to", "oslo", "today"]);
        var tags = new ZeroShotTagger(encoder, concepts).Tag([sentence], ["person", "city"]);
        CollectionAssert.AreEqual(new[] { "B-person", "O", "O", "B-city", "O" }, tags[0]);
    }

    [TestMethod]
    public void APositiveWeightRaisesTheLossOfMissedPositivesAndMustBePositive()
    {
        using var encoder = EncoderToyData.Encoder();
        using var concepts = new ConceptEncoder(encoder);
        var batch = ConceptContrastiveTrainer.Prepare(EncoderToyData.ConceptSentences(4), 512);
        using var plain = ConceptContrastiveTrainer.Loss(encoder, concepts, batch);
        using var weighted = ConceptContrastiveTrainer.Loss(encoder, concepts, batch, positiveWeight: 20);
        // At initialisation every pair scores near the −4 bias, so positives are missed and weighting them raises the loss.
        Assert.IsGreaterThan(plain.item<float>() * 2, weighted.item<float>());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ConceptContrastiveTrainer.Train(encoder, concepts, EncoderToyData.ConceptSentences(4),
            new EncoderTrainingSettings { Steps = 1 }, positiveWeight: 0));
        StringAssert.Contains(error.Message, "positive weight");
    }

    [TestMethod]
    public void ZeroShotRejectsDuplicateConcepts()
    {
        using var encoder = EncoderToyData.Encoder();
        using var concepts = new ConceptEncoder(encoder);
        var error = Assert.Throws<ArgumentException>(() => new ZeroShotTagger(encoder, concepts).Tag([EncodedWords.FromWords(["x"])], ["City", "city "]));
        StringAssert.Contains(error.Message, "distinct");
    }

    [TestMethod]
    public void TokenClassifierFitsAndFreezingKeepsTheEncoder()
    {
        using var encoder = EncoderToyData.Encoder();
        var labels = Megalodon.ML.Ner.NerLabelSet.FromTypes(["person", "city"]);
        var data = EncoderToyData.Sentences(32).Select(s => (EncodedWords.FromWords(s.Words), labels.Encode(s))).ToList();
        using var frozen = new TokenClassifier(encoder, labels.Count);
        var before = frozen.Encoder.StateTensors();
        TokenClassifierTrainer.Train(frozen, data, new EncoderTrainingSettings { Steps = 5, BatchSize = 8 }, freezeEncoder: true);
        var after = frozen.Encoder.StateTensors();
        foreach (var (name, tensor) in before)
            Assert.IsTrue(tensor.allclose(after[name], 0, 0), $"{name} changed although the encoder is frozen");

        using var tuned = new TokenClassifier(encoder, labels.Count);
        var result = TokenClassifierTrainer.Train(tuned, data, new EncoderTrainingSettings { Steps = 40, BatchSize = 8, WarmupSteps = 4, LearningRate = 3e-3 });
        Assert.IsLessThan(0.05, result.MeanOfLast(5));
        var predicted = tuned.Predict(data.Select(d => d.Item1).ToList());
        for (int i = 0; i < data.Count; i++)
            CollectionAssert.AreEqual(data[i].Item2, predicted[i]);
    }
    [TestMethod]
    public void ThePapersPlainDotProductTrainsWithoutTheScaleAndBias()
    {
        using var encoder = EncoderToyData.Encoder();
        using var concepts = new ConceptEncoder(encoder);
        var batch = ConceptContrastiveTrainer.Prepare(EncoderToyData.ConceptSentences(4), 512);
        using var scaled = ConceptContrastiveTrainer.Loss(encoder, concepts, batch);
        using var plain = ConceptContrastiveTrainer.Loss(encoder, concepts, batch, learnedScoreScale: false);
        Assert.AreNotEqual(scaled.item<float>(), plain.item<float>(), 1e-4f, "the plain score has no −4 bias");

        var scaleBefore = concepts.StateTensors();
        var result = ConceptContrastiveTrainer.Train(encoder, concepts, EncoderToyData.ConceptSentences(32),
            new EncoderTrainingSettings { Steps = 12, BatchSize = 8, WarmupSteps = 2, LearningRate = 3e-3 }, learnedScoreScale: false);
        Assert.IsLessThan(result.MeanOfFirst(3), result.MeanOfLast(3));
        var scaleAfter = concepts.StateTensors();
        foreach (string name in new[] { "log_scale", "bias" })
            Assert.IsTrue(scaleBefore[name].allclose(scaleAfter[name], 0, 0), $"{name} is not trained with the plain score");
    }

    [TestMethod]
    public void TokenClassifierCheckpointsResumeToTheWeightsOfAnUnbrokenRun()
    {
        using var scratch = new ScratchFolder();
        using var encoder = EncoderToyData.Encoder();
        var labels = Megalodon.ML.Ner.NerLabelSet.FromTypes(["person", "city"]);
        var data = EncoderToyData.Sentences(16).Select(s => (EncodedWords.FromWords(s.Words), labels.Encode(s))).ToList();
        var settings = new EncoderTrainingSettings { Steps = 6, BatchSize = 4, WarmupSteps = 1 };
        TorchSharp.torch.manual_seed(5); // the same head initialisation for both runs
        using var unbroken = new TokenClassifier(encoder, labels.Count) { Dropout = 0 };
        TokenClassifierTrainer.Train(unbroken, data, settings);

        var checkpoints = new EncoderCheckpointSettings { Folder = scratch.Path, Interval = 3, Resume = true };
        TorchSharp.torch.manual_seed(5);
        using (var first = new TokenClassifier(encoder, labels.Count) { Dropout = 0 })
        using (var stop = new CancellationTokenSource())
        {
            // Stopped before step 4, after the checkpoint of step 3.
            var progress = new StopAt(3, stop);
            Assert.Throws<OperationCanceledException>(() => TokenClassifierTrainer.Train(first, data, settings, progress: progress, cancellationToken: stop.Token, checkpoints: checkpoints));
        }
        Assert.HasCount(1, Directory.GetFiles(scratch.Path));
        using var resumed = new TokenClassifier(encoder, labels.Count) { Dropout = 0 };
        var result = TokenClassifierTrainer.Train(resumed, data, settings, checkpoints: checkpoints);
        Assert.HasCount(6, result.Losses);
        var expected = unbroken.StateTensors();
        foreach (var (name, tensor) in resumed.StateTensors())
            Assert.IsTrue(tensor.allclose(expected[name], 1e-6, 1e-6), $"{name} differs after the resume");
        Assert.Throws<ArgumentException>(() => TokenClassifierTrainer.Train(resumed, data, settings, checkpoints: checkpoints,
            validation: new TaggerValidation { Score = _ => 0 }));
    }

    private sealed class StopAt(int step, CancellationTokenSource source) : IProgress<Megalodon.ML.Training.TrainingProgress>
    {
        public void Report(Megalodon.ML.Training.TrainingProgress value)
        {
            if (value.Step >= step) source.Cancel();
        }
    }
}
