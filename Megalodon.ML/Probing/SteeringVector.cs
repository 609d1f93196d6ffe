namespace Megalodon.ML.Probing;

/// <summary>
/// A steering vector for one layer, as in TracingLLM: the difference of the class means (label true minus label
/// false) of the layer's activations, unit-normalised, times the standard deviation of all activations projected on
/// that direction.
/// </summary>
public sealed class SteeringVector
{
    /// <summary>Wraps a direction and its scale.</summary>
    /// <param name="layer">The layer the vector belongs to.</param>
    /// <param name="direction">A unit vector (it is normalised here).</param>
    /// <param name="scale">The standard deviation of the projections; non-negative.</param>
    public SteeringVector(int layer, IReadOnlyList<float> direction, double scale)
    {
        ArgumentNullException.ThrowIfNull(direction);
        if (layer < 0) throw new ArgumentOutOfRangeException(nameof(layer), layer, "A layer index is non-negative.");
        if (direction.Count == 0) throw new ArgumentException("The direction is empty.", nameof(direction));
        if (!(scale >= 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be a finite non-negative number.");
        double norm = Math.Sqrt(direction.Sum(v => (double)v * v));
        if (!(norm > 0) || !double.IsFinite(norm)) throw new ArgumentException("The direction has zero or non-finite length.", nameof(direction));
        Layer = layer;
        Direction = direction.Select(v => (float)(v / norm)).ToArray();
        Scale = scale;
    }

    /// <summary>The layer.</summary>
    public int Layer { get; }

    /// <summary>The unit direction.</summary>
    public IReadOnlyList<float> Direction { get; }

    /// <summary>The standard deviation of the activations projected on <see cref="Direction"/>.</summary>
    public double Scale { get; }

    /// <summary>The vector added at strength 1: <see cref="Scale"/> · <see cref="Direction"/>.</summary>
    public float[] Vector() => Direction.Select(v => (float)(v * Scale)).ToArray();

    /// <summary>
    /// Computes the vector of one layer. The direction comes from the rows in <paramref name="directionRows"/> (the
    /// paper uses the first half of the file); the scale from all rows.
    /// </summary>
    /// <param name="layer">The layer the activations are from.</param>
    /// <param name="activations">One vector per row.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="directionRows">How many leading rows give the class means; null for all.</param>
    /// <exception cref="ArgumentException">Sizes disagree, or a class is missing among the direction rows.</exception>
    public static SteeringVector Compute(int layer, IReadOnlyList<float[]> activations, IReadOnlyList<bool> labels, int? directionRows = null)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(labels);
        if (activations.Count != labels.Count)
            throw new ArgumentException($"{activations.Count} activation rows but {labels.Count} labels.", nameof(labels));
        int n = directionRows ?? activations.Count;
        if (n <= 0 || n > activations.Count)
            throw new ArgumentOutOfRangeException(nameof(directionRows), n, $"Direction rows must be from 1 to {activations.Count}.");
        int width = activations[0].Length;
        var sums = new[] { new double[width], new double[width] };
        var counts = new int[2];
        for (int r = 0; r < n; r++)
        {
            if (activations[r].Length != width) throw new ArgumentException($"Row {r} has {activations[r].Length} values, row 0 has {width}.", nameof(activations));
            int c = labels[r] ? 1 : 0;
            counts[c]++;
            for (int i = 0; i < width; i++) sums[c][i] += activations[r][i];
        }
        if (counts[0] == 0 || counts[1] == 0)
            throw new ArgumentException($"Both classes are needed for a steering direction; the first {n} rows hold {counts[1]} true and {counts[0]} false labels.", nameof(labels));
        var difference = new float[width];
        for (int i = 0; i < width; i++) difference[i] = (float)(sums[1][i] / counts[1] - sums[0][i] / counts[0]);
        var unit = new SteeringVector(layer, difference, 0).Direction;

        // Scale: the standard deviation over all rows of the projections on the unit direction.
        var projections = activations.Select(a => { double s = 0; for (int i = 0; i < width; i++) s += a[i] * (double)unit[i]; return s; }).ToArray();
        double mean = projections.Average();
        double std = Math.Sqrt(projections.Sum(p => (p - mean) * (p - mean)) / projections.Length);
        return new SteeringVector(layer, unit, std);
    }
}
