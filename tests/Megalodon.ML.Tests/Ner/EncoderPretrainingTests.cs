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
}
