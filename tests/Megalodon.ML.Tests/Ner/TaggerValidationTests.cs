using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class TaggerValidationTests
{
    [TestMethod]
    public void StopsAfterThePatienceAndPutsTheBestWeightsBack()
    {
        var labels = NerLabelSet.FromSentences(EncoderToyData.Sentences(4));
        var data = EncoderToyData.Sentences(16).Select(s => (EncodedWords.FromWords(s.Words), labels.Encode(s))).ToList();
        using var encoder = EncoderToyData.Encoder();
        using var classifier = new TokenClassifier(encoder, labels.Count);
        // Scripted scores: the second check is best, then two worse ones stop the run (patience 2).
        double[] scores = [0.2, 0.6, 0.5, 0.4, 0.9, 0.9];
        int calls = 0;
        Dictionary<string, TorchSharp.torch.Tensor>? atBest = null;
        var validation = new TaggerValidation
        {
            IntervalSteps = 3,
            Patience = 2,
            Score = c =>
            {
                if (calls == 1) atBest = c.StateTensors();
                return scores[calls++];
            },
        };
        var settings = new EncoderTrainingSettings { Steps = 30, BatchSize = 4, LearningRate = 3e-3, WarmupSteps = 1, Seed = 1 };
        var result = TokenClassifierTrainer.Train(classifier, data, settings, validation: validation);

        Assert.AreEqual(4, calls);
        Assert.IsTrue(result.StoppedEarly);
        Assert.HasCount(12, result.Losses);
        CollectionAssert.AreEqual(new[] { 3, 6, 9, 12 }, result.Validation.Select(v => v.Step).ToArray());
        Assert.AreEqual(6, result.Best!.Step);
        Assert.AreEqual(0.6, result.Best.Score);
        Assert.AreEqual(2.0 * 3 / 4, result.Validation[1].Epoch, 1e-9); // 16 sentences in batches of 4: 4 steps per epoch
        foreach (var (name, tensor) in classifier.StateTensors())
            Assert.IsTrue(tensor.allclose(atBest![name], 0, 0), $"{name} is not the best check's weight");
    }

    [TestMethod]
    public void WithoutPatienceEveryCheckRunsAndTheLastStepIsChecked()
    {
        var labels = NerLabelSet.FromSentences(EncoderToyData.Sentences(4));
        var data = EncoderToyData.Sentences(8).Select(s => (EncodedWords.FromWords(s.Words), labels.Encode(s))).ToList();
        using var encoder = EncoderToyData.Encoder();
        using var classifier = new TokenClassifier(encoder, labels.Count);
        var validation = new TaggerValidation { Patience = 0, Score = c => TaggerLabels.Evaluate(c, EncoderToyData.Sentences(4), labels.Labels, 512).F1 };
        var settings = new EncoderTrainingSettings { Steps = 5, BatchSize = 4, Seed = 1, WarmupSteps = 1 };
        var result = TokenClassifierTrainer.Train(classifier, data, settings, validation: validation);
        // 8 sentences in batches of 4: a check every 2 steps (one epoch), and one after the last step.
        CollectionAssert.AreEqual(new[] { 2, 4, 5 }, result.Validation.Select(v => v.Step).ToArray());
        Assert.IsFalse(result.StoppedEarly);
    }
}
