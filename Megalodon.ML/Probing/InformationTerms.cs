namespace Megalodon.ML.Probing;

/// <summary>The information terms of one layer T, estimated with <see cref="NormalizedHsic"/>.</summary>
/// <param name="InputInformation">I(X;T): X is the layer-0 output (the input proxy).</param>
/// <param name="LabelInformation">I(Y;T): Y is the one-hot label.</param>
/// <param name="ShuffledLabelInformation">I(Y';T) with Y' the same labels in a seeded random order: the control a
/// real I(Y;T) must exceed (it measures what the estimator gives for labels unrelated to the rows).</param>
public readonly record struct InformationTerms(double InputInformation, double LabelInformation, double ShuffledLabelInformation)
{
    /// <summary>Terms not measured (all NaN).</summary>
    public static InformationTerms Missing => new(double.NaN, double.NaN, double.NaN);
}
