using static TorchSharp.torch;

namespace Megalodon.ML.Probing;

/// <summary>
/// The paper's information terms per layer, estimated with <see cref="NormalizedHsic"/>: I(X;T), between the layer-0
/// output X (the input proxy) and layer T; I(Y;T), between the labels Y and layer T; and the control I(Y';T) with the
/// labels shuffled. As the paper's procedure, every layer is standardised per dimension first (centred and scaled),
/// here with the statistics of the rows given (pass training rows only), so the estimate does not follow the
/// activations' scale: with raw activations and the paper's σ the kernel is flat for small activations and nHSIC(X, X)
/// drops to 0.
/// </summary>
public static class InformationPlane
{
    /// <summary>Estimates the terms for every layer of <paramref name="activations"/>, which must include layer 0.</summary>
    /// <param name="activations">Activations of the training rows.</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="maxRows">At most this many rows are used (a seeded random subset): the estimate inverts m×m matrices.</param>
    /// <param name="seed">Seed of the subset and of the label shuffle.</param>
    /// <param name="sigma">Kernel width σ.</param>
    /// <param name="standardize">Standardise each layer with the statistics of all rows of <paramref name="activations"/> (the paper's procedure); false reads raw activations.</param>
    /// <returns>Per layer of <paramref name="activations"/>, in order.</returns>
    /// <exception cref="ArgumentException">Layer 0 is missing, or the sizes disagree.</exception>
    public static IReadOnlyList<InformationTerms> Measure(LayerActivations activations, IReadOnlyList<bool> labels,
        int maxRows = 512, int seed = 0, double sigma = NormalizedHsic.DefaultSigma, bool standardize = true)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != activations.RowCount) throw new ArgumentException($"{activations.RowCount} activation rows but {labels.Count} labels.", nameof(labels));
        if (!activations.Layers.Contains(0)) throw new ArgumentException("I(X;T) needs the layer-0 output as X; extract layer 0 too.", nameof(activations));
        if (maxRows < 2) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "At least two rows are needed.");
        var rows = Enumerable.Range(0, labels.Count).ToArray();
        new Random(seed).Shuffle(rows);
        rows = rows.Take(maxRows).Order().ToArray();
        var subsetLabels = rows.Select(r => labels[r]).ToList();

        IReadOnlyList<float[]> Rows(int layer)
        {
            var all = activations.OfLayer(layer);
            if (!standardize) return rows.Select(r => all[r]).ToList();
            var statistics = Standardization.Fit(all);
            return rows.Select(r => statistics.Apply(all[r])).ToList();
        }

        using var scope = NewDisposeScope();
        const double epsilon = NormalizedHsic.DefaultEpsilon;
        var input = NormalizedHsic.Resolvent(Rows(0), sigma, epsilon, nameof(activations));
        var label = NormalizedHsic.Resolvent(NormalizedHsic.OneHot(subsetLabels), sigma, epsilon, nameof(labels));
        var shuffled = NormalizedHsic.Resolvent(NormalizedHsic.OneHot(ShuffledLabels.Permute(subsetLabels, seed)), sigma, epsilon, nameof(labels));
        return activations.Layers.Select(layer =>
        {
            using var layerScope = NewDisposeScope();
            var t = NormalizedHsic.Resolvent(Rows(layer), sigma, epsilon, nameof(activations));
            return new InformationTerms(NormalizedHsic.Pair(input, t), NormalizedHsic.Pair(label, t), NormalizedHsic.Pair(shuffled, t));
        }).ToList();
    }
}
