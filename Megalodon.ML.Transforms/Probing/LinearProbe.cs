using Megalodon.ML.Probing;

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
}
