using System.Text;
using Megalodon.ML.Encoder;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class WordWindowsTests
{
    private static string[] Words(int count, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new string('a', random.Next(1, 9)) + "é").ToArray();
    }

    private static int Tokens(IEnumerable<string> words) => Encoding.UTF8.GetByteCount(string.Join(' ', words));

    [TestMethod]
    public void PredictionWindowsFitTheLimitOverlapAndKeepEveryWordOnce()
    {
        var words = Words(400);
        var windows = WordWindows.ForPrediction(words, 64);
        Assert.IsGreaterThan(1, windows.Count);
        Assert.AreEqual(0, windows[0].KeepStart);
        Assert.AreEqual(words.Length, windows[^1].KeepEnd);
        for (int i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            Assert.IsLessThanOrEqualTo(64, Tokens(words[w.Start..w.End]), $"window {i}");
            Assert.IsTrue(w.Start <= w.KeepStart && w.KeepStart <= w.KeepEnd && w.KeepEnd <= w.End, $"window {i}: {w}");
            if (i > 0)
            {
                Assert.AreEqual(windows[i - 1].KeepEnd, w.KeepStart, "the kept parts tile the sentence");
                Assert.IsLessThan(windows[i - 1].End, w.Start, "consecutive windows overlap");
            }
            // A kept word inside the sentence is never a window's first or last word.
            if (i > 0) Assert.IsGreaterThan(w.Start, w.KeepStart);
            if (i + 1 < windows.Count) Assert.IsLessThan(w.End, w.KeepEnd);
        }
    }

    [TestMethod]
    public void TrainingWindowsAreConsecutiveAndCarryTheirLabels()
    {
        var words = Words(120);
        var labels = Enumerable.Range(0, words.Length).ToArray();
        var windows = WordWindows.ForTraining(words, 50);
        Assert.AreEqual(0, windows[0].Start);
        for (int i = 1; i < windows.Count; i++) Assert.AreEqual(windows[i - 1].End, windows[i].Start);
        Assert.AreEqual(words.Length, windows[^1].End);
        var pieces = WordWindows.TrainingPieces(words, labels, 50).ToList();
        Assert.HasCount(windows.Count, pieces);
        CollectionAssert.AreEqual(labels, pieces.SelectMany(p => p.Labels).ToArray());
        Assert.IsTrue(pieces.All(p => p.Words.Ids.Length <= 50 && Enumerable.Range(0, p.Words.WordCount).All(w => p.Words.WordTokenCount(w) > 0)));
    }

    [TestMethod]
    public void AWordLongerThanTheLimitIsAWindowOfItsOwnAndStillGetsTokens()
    {
        string[] words = ["a", new string('x', 100), "b"];
        var windows = WordWindows.ForPrediction(words, 16);
        Assert.IsTrue(windows.Any(w => w.Start == 1 && w.End == 2 && w.KeepStart == 1 && w.KeepEnd == 2));
        var pieces = WordWindows.TrainingPieces(words, [0, 1, 0], 16).ToList();
        Assert.HasCount(3, pieces);
        Assert.AreEqual(16, pieces[1].Words.WordTokenCount(0));
    }

    [TestMethod]
    public void ShortSentencesArePredictedAsOneWindowAndLongOnesWordForWord()
    {
        using var encoder = EncoderToyData.Encoder();
        using var classifier = new TokenClassifier(encoder, 5);
        var shortSentence = Words(6);
        var whole = classifier.Predict([EncodedWords.FromWords(shortSentence)])[0];
        CollectionAssert.AreEqual(whole, WordWindows.Predict(classifier, [shortSentence], 512)[0]);

        // 400 words with a 64-token limit: every word is predicted from a window that holds it, none from zero features.
        var longSentence = Words(400, seed: 2);
        var predicted = WordWindows.Predict(classifier, [longSentence, shortSentence, []], 64);
        Assert.HasCount(400, predicted[0]);
        CollectionAssert.AreEqual(whole, predicted[1]);
        Assert.IsEmpty(predicted[2]);
        foreach (var window in WordWindows.ForPrediction(longSentence, 64))
        {
            var alone = classifier.Predict([EncodedWords.FromWords(longSentence[window.Start..window.End], 64)])[0];
            for (int w = window.KeepStart; w < window.KeepEnd; w++)
                Assert.AreEqual(alone[w - window.Start], predicted[0][w], $"word {w}");
        }
    }
}
