using Megalodon.ML.Probing;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>
/// Trains and tests one layer's probe on a given train/test split, together with its controls on that split: a probe
/// trained on shuffled training labels (<see cref="ShuffledLabels"/>) and the majority class. Both
/// <see cref="CheckpointLayerTable"/> and the probing experiment measure probes through this.
/// </summary>
public static class SplitProbe
{
    /// <summary>Probes <paramref name="rows"/> on the split <paramref name="isTrain"/>.</summary>
    /// <param name="column">The column name recorded in the probes.</param>
    /// <param name="rows">Activations of all rows.</param>
    /// <param name="labels">Labels of all rows.</param>
    /// <param name="isTrain">Per row, whether it trains (else it tests).</param>
    /// <param name="seed">Seed of the label shuffle.</param>
    /// <param name="l2">L2 weight of the regressions.</param>
    /// <param name="iterations">Most L-BFGS iterations.</param>
    /// <exception cref="ArgumentException">Sizes differ, a side of the split is empty, or the training side holds one class.</exception>
    public static SplitProbeResult Evaluate(string column, IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, IReadOnlyList<bool> isTrain,
        int seed, float l2 = 1f, int iterations = 100)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(isTrain);
        if (rows.Count != labels.Count || rows.Count != isTrain.Count)
            throw new ArgumentException($"{rows.Count} rows, {labels.Count} labels and {isTrain.Count} split flags: one each per row.", nameof(isTrain));
        var train = Enumerable.Range(0, rows.Count).Where(i => isTrain[i]).ToList();
        var test = Enumerable.Range(0, rows.Count).Where(i => !isTrain[i]).ToList();
        if (train.Count == 0 || test.Count == 0) throw new ArgumentException($"The split has {train.Count} training and {test.Count} test rows; both sides need rows.", nameof(isTrain));
        var trainRows = train.Select(i => rows[i]).ToList();
        var trainLabels = train.Select(i => labels[i]).ToList();
        var testLabels = test.Select(i => labels[i]).ToList();

        BinaryProbeMetrics Measure(LinearProbe probe) => BinaryProbeMetrics.Measure(test.Select(i => probe.Score(rows[i])).ToList(), testLabels);
        var real = Measure(LinearProbe.Train(column, trainRows, trainLabels, l2, iterations));
        var shuffledLabels = ShuffledLabels.Permute(trainLabels, seed);
        var shuffled = Measure(LinearProbe.Train(column, trainRows, shuffledLabels, l2, iterations));
        bool majority = trainLabels.Count(l => l) * 2 >= trainLabels.Count;
        double majorityAccuracy = testLabels.Count(l => l == majority) / (double)testLabels.Count;
        return new SplitProbeResult(real.Accuracy, real.Auc, shuffled.Accuracy, shuffled.Auc, majorityAccuracy, train.Count, test.Count);
    }
}
