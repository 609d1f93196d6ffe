using Megalodon.ML.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>One trained probe: the column it reads, the training standardisation, and the logistic regression.</summary>
/// <param name="FeatureColumnName">The activation column.</param>
/// <param name="Standardization">Statistics of the training rows only.</param>
/// <param name="Weights">Regression weights over the standardised features.</param>
/// <param name="Bias">Regression bias.</param>
public sealed record LinearProbe(string FeatureColumnName, Standardization Standardization, IReadOnlyList<float> Weights, float Bias)
{
    /// <summary>The logit of label true for raw (unstandardised) activations.</summary>
    /// <exception cref="ArgumentException">The width differs from the training data's.</exception>
    public double Score(ReadOnlySpan<float> activations)
    {
        var x = Standardization.Apply(activations);
        double z = Bias;
        for (int i = 0; i < x.Length; i++) z += Weights[i] * (double)x[i];
        return z;
    }

    /// <summary>The logistic of <paramref name="score"/>.</summary>
    public static double Probability(double score) => 1 / (1 + Math.Exp(-score));

    /// <summary>
    /// Trains a probe: standardisation with the statistics of <paramref name="rows"/> (the training rows only), then
    /// ML.NET's L-BFGS logistic regression on one thread.
    /// </summary>
    /// <param name="column">The column name recorded in the probe.</param>
    /// <param name="rows">Training activations.</param>
    /// <param name="labels">Their labels (both classes present).</param>
    /// <param name="l2">L2 weight (ML.NET's default 1).</param>
    /// <param name="iterations">Most L-BFGS iterations.</param>
    /// <param name="standardize">Standardise first; false keeps the raw activations.</param>
    /// <exception cref="ArgumentException">No rows, sizes differ, or a single class.</exception>
    public static LinearProbe Train(string column, IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, float l2 = 1f, int iterations = 100, bool standardize = true)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Count == 0 || rows.Count != labels.Count) throw new ArgumentException($"{rows.Count} rows but {labels.Count} labels; a probe needs rows and one label each.", nameof(labels));
        if (labels.All(l => l) || labels.All(l => !l))
            throw new ArgumentException($"The training labels hold only {(labels[0] ? "true" : "false")} values: a probe needs both classes.", nameof(labels));
        int width = rows[0].Length;
        var standardization = standardize ? Standardization.Fit(rows) : new Standardization(new float[width], Enumerable.Repeat(1f, width).ToArray());
        var ml = new MLContext(seed: 0);
        var schema = SchemaDefinition.Create(typeof(ProbeRow));
        schema[nameof(ProbeRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new ProbeRow { Label = labels[i], Features = standardization.Apply(r) }).ToList(), schema);
        var trainer = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = nameof(ProbeRow.Label),
            FeatureColumnName = nameof(ProbeRow.Features),
            L2Regularization = l2,
            MaximumNumberOfIterations = iterations,
            // One thread: the probes run beside model work on small machines.
            NumberOfThreads = 1,
        });
        var model = trainer.Fit(data).Model.SubModel;
        return new LinearProbe(column, standardization, model.Weights.ToArray(), model.Bias);
    }

    private sealed class ProbeRow
    {
        public bool Label { get; set; }
        public float[] Features { get; set; } = [];
    }
}
