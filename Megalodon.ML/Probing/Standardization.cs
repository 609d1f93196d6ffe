namespace Megalodon.ML.Probing;

/// <summary>
/// Per-dimension standardisation, <c>(x − mean) / std</c>, with statistics fitted on one set of rows (the training
/// split) and applied unchanged to any other. A dimension with zero spread keeps std 1, so it maps to 0.
/// </summary>
public sealed class Standardization
{
    /// <summary>Wraps fitted statistics.</summary>
    /// <param name="mean">Per-dimension mean.</param>
    /// <param name="std">Per-dimension standard deviation (positive).</param>
    public Standardization(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length != std.Length) throw new ArgumentException($"{mean.Length} means but {std.Length} standard deviations.");
        if (std.Any(s => !(s > 0) || !float.IsFinite(s))) throw new ArgumentException("Standard deviations must be positive and finite.", nameof(std));
        Mean = mean;
        Std = std;
    }

    /// <summary>Per-dimension mean of the fitting rows.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Per-dimension (population) standard deviation of the fitting rows.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>The width.</summary>
    public int Width => Mean.Count;

    /// <summary>Fits the statistics on <paramref name="rows"/> only.</summary>
    /// <exception cref="ArgumentException">No rows, or ragged rows.</exception>
    public static Standardization Fit(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("Standardisation needs at least one row.", nameof(rows));
        int width = rows[0].Length;
        var sum = new double[width];
        var sumSquares = new double[width];
        foreach (var row in rows)
        {
            if (row.Length != width) throw new ArgumentException($"A row has {row.Length} values, the first has {width}.", nameof(rows));
            for (int i = 0; i < width; i++) { sum[i] += row[i]; sumSquares[i] += (double)row[i] * row[i]; }
        }
        var mean = new float[width];
        var std = new float[width];
        for (int i = 0; i < width; i++)
        {
            double m = sum[i] / rows.Count;
            double variance = Math.Max(0, sumSquares[i] / rows.Count - m * m);
            mean[i] = (float)m;
            double s = Math.Sqrt(variance);
            std[i] = s > 1e-12 && double.IsFinite(s) ? (float)s : 1f;
        }
        return new Standardization(mean, std);
    }

    /// <summary>Standardises one row into a new array.</summary>
    /// <exception cref="ArgumentException">The width differs.</exception>
    public float[] Apply(ReadOnlySpan<float> row)
    {
        if (row.Length != Width) throw new ArgumentException($"The row has {row.Length} values; the standardisation was fitted on {Width}.");
        var result = new float[row.Length];
        for (int i = 0; i < row.Length; i++) result[i] = (row[i] - Mean[i]) / Std[i];
        return result;
    }
}
