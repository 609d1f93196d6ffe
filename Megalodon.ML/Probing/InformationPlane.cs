namespace Megalodon.ML.Probing;

/// <summary>
/// The paper's two information terms per layer, estimated with <see cref="NormalizedHsic"/>: I(X;T), between the
/// layer-0 output X (the input proxy) and layer T, and I(Y;T), between the labels Y and layer T.
/// </summary>
public static class InformationPlane
{
    /// <summary>Estimates both terms for every layer of <paramref name="activations"/>, which must include layer 0.</summary>
    /// <param name="activations">Activations of the training rows.</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="maxRows">At most this many rows are used (a seeded random subset): the estimate inverts m×m matrices.</param>
    /// <param name="seed">Seed of the subset.</param>
    /// <param name="sigma">Kernel width σ.</param>
    /// <returns>Per layer of <paramref name="activations"/>, in order: (I(X;T), I(Y;T)).</returns>
    /// <exception cref="ArgumentException">Layer 0 is missing, or the sizes disagree.</exception>
    public static IReadOnlyList<(double InputInformation, double LabelInformation)> Measure(LayerActivations activations, IReadOnlyList<bool> labels,
        int maxRows = 512, int seed = 0, double sigma = NormalizedHsic.DefaultSigma)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != activations.RowCount) throw new ArgumentException($"{activations.RowCount} activation rows but {labels.Count} labels.", nameof(labels));
        if (!activations.Layers.Contains(0)) throw new ArgumentException("I(X;T) needs the layer-0 output as X; extract layer 0 too.", nameof(activations));
        if (maxRows < 2) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "At least two rows are needed.");
        var rows = Enumerable.Range(0, labels.Count).ToArray();
        new Random(seed).Shuffle(rows);
        rows = rows.Take(maxRows).Order().ToArray();
        var input = rows.Select(r => activations.OfLayer(0)[r]).ToList();
        var y = NormalizedHsic.OneHot(rows.Select(r => labels[r]).ToList());
        return activations.Layers.Select(layer =>
        {
            var t = rows.Select(r => activations.OfLayer(layer)[r]).ToList();
            return (NormalizedHsic.Estimate(input, t, sigma), NormalizedHsic.Estimate(y, t, sigma));
        }).ToList();
    }
}
