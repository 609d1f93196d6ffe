namespace Megalodon.ML.Probing;

/// <summary>Accuracy (score above 0 predicts true) and ROC AUC of binary scores.</summary>
/// <param name="Accuracy">Share of rows whose prediction matches the label.</param>
/// <param name="Auc">Area under the ROC curve (ties count one half); NaN when a class is absent.</param>
/// <param name="Count">Rows measured.</param>
public readonly record struct BinaryProbeMetrics(double Accuracy, double Auc, int Count)
{
    /// <summary>Measures <paramref name="scores"/> (logits: above 0 means true) against <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">Sizes differ or there are no rows.</exception>
    public static BinaryProbeMetrics Measure(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count) throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
        if (scores.Count == 0) throw new ArgumentException("No rows to measure.", nameof(scores));
        int correct = 0;
        for (int i = 0; i < scores.Count; i++) if (scores[i] > 0 == labels[i]) correct++;
        return new BinaryProbeMetrics((double)correct / scores.Count, AreaUnderRoc(scores, labels), scores.Count);
    }

    /// <summary>ROC AUC by the rank-sum (Mann–Whitney) statistic with mid-ranks for ties.</summary>
    public static double AreaUnderRoc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        int n = scores.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        long positives = labels.Count(l => l), negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        double rankSum = 0;
        for (int i = 0; i < n; i++) if (labels[i]) rankSum += ranks[i];
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
