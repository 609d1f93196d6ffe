using Megalodon.ML.Probing;
using Megalodon.ML.Transforms.Probing;

namespace Megalodon.ML.Tests.Probing;

[TestClass]
public sealed class ProbeControlsTests
{
    [TestMethod]
    public void ShuffledLabelsKeepTheClassBalanceAndDependOnTheSeed()
    {
        var labels = Enumerable.Range(0, 200).Select(i => i % 3 == 0).ToArray();
        var a = ShuffledLabels.Permute(labels, 1);
        Assert.AreEqual(labels.Count(l => l), a.Count(l => l));
        CollectionAssert.AreEqual(a, ShuffledLabels.Permute(labels, 1));
        CollectionAssert.AreNotEqual(a, ShuffledLabels.Permute(labels, 2));
        CollectionAssert.AreNotEqual(labels, a);
    }

    [TestMethod]
    public void SplitProbeSeparatesPlantedDataAndItsShuffledControlDoesNot()
    {
        var rows = ProbingTestData.Activations(300, seed: 11, separation: 3f);
        var values = rows.Select(r => r.Layer0).ToArray();
        var labels = rows.Select(r => r.Label).ToArray();
        var isTrain = GroupedSplit.Assign(Enumerable.Range(0, rows.Length).Select(i => $"r{i}").ToList(), 0.8, seed: 1);

        var result = SplitProbe.Evaluate("Layer0", values, labels, isTrain, seed: 1);

        Assert.IsGreaterThan(0.85, result.Accuracy, $"accuracy {result.Accuracy}");
        // One shuffle can correlate with the labels by chance, and a strong planted feature amplifies that: judge the
        // control over several seeds.
        var shuffled = Enumerable.Range(1, 6).Select(s => SplitProbe.Evaluate("Layer0", values, labels, isTrain, seed: s).ShuffledAccuracy).ToList();
        Assert.AreEqual(0.5, shuffled.Average(), 0.1, $"shuffled-label accuracies {string.Join(", ", shuffled)}");
        var testLabels = labels.Where((_, i) => !isTrain[i]).ToArray();
        bool majority = labels.Where((_, i) => isTrain[i]).Count(l => l) * 2 >= isTrain.Count(t => t);
        Assert.AreEqual(testLabels.Count(l => l == majority) / (double)testLabels.Length, result.MajorityAccuracy, 1e-12);
        Assert.AreEqual(isTrain.Count(t => t), result.TrainRows);
        Assert.AreEqual(rows.Length, result.TrainRows + result.TestRows);
    }

    [TestMethod]
    public void GroupedSplitKeepsGroupsTogetherNearTheFraction()
    {
        // Groups of 1 to 4 rows, as StereoSet contexts or TruthfulQA questions.
        var groups = Enumerable.Range(0, 400).SelectMany(g => Enumerable.Repeat($"g{g}", 1 + g % 4)).ToList();
        var split = GroupedSplit.Assign(groups, 0.8, seed: 3);

        foreach (var group in groups.Distinct())
        {
            var sides = groups.Select((g, i) => (g, i)).Where(p => p.g == group).Select(p => split[p.i]).Distinct().Count();
            Assert.AreEqual(1, sides, $"group {group} straddles the split");
        }
        double fraction = split.Count(t => t) / (double)split.Length;
        Assert.AreEqual(0.8, fraction, 0.01);
        CollectionAssert.AreEqual(split, GroupedSplit.Assign(groups, 0.8, seed: 3));
        CollectionAssert.AreNotEqual(split, GroupedSplit.Assign(groups, 0.8, seed: 4));
    }

    [TestMethod]
    public void GroupedSplitNeedsTwoGroups()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => GroupedSplit.Assign(["a", "a", "a"], 0.8, seed: 1));
        Assert.Contains("two groups", ex.Message);
    }

    [TestMethod]
    public void RobustnessSetPairsEachSentenceWithAPerturbedCopy()
    {
        string[] sentences = ["The sun rises in the east.", "Water boils at 100 degrees Celsius at sea level.", "1234", "The sun rises in the east.", "Paris is the capital of France."];
        var set = RobustnessSet.Build(sentences, seed: 7);

        Assert.HasCount(6, set); // the digits-only line and the duplicate are skipped
        foreach (var group in set.GroupBy(r => r.Group))
        {
            var clean = group.Single(r => !r.Label);
            var perturbed = group.Single(r => r.Label);
            Assert.Contains(clean.Text, sentences);
            Assert.AreNotEqual(clean.Text, perturbed.Text);
            Assert.AreEqual(clean.Text.ToLowerInvariant(), perturbed.Text.ToLowerInvariant(), "only the case changes");
        }
        CollectionAssert.AreEqual(set.ToList(), RobustnessSet.Build(sentences, seed: 7).ToList());
        CollectionAssert.AreNotEqual(set.ToList(), RobustnessSet.Build(sentences, seed: 8).ToList());
    }

    [TestMethod]
    public void RandomCasePerturbationFlipsAboutTheRateOfLetters()
    {
        string text = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog ", 50));
        string perturbed = RandomCasePerturbation.Apply(text, 0.05, new Random(1));
        int letters = text.Count(char.IsLetter);
        int flipped = text.Zip(perturbed).Count(p => p.First != p.Second);
        Assert.AreEqual(0.05, flipped / (double)letters, 0.015, $"{flipped} of {letters} letters flipped");
        Assert.AreEqual(text, perturbed.ToLowerInvariant());
    }
}
