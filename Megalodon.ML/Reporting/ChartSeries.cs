namespace Megalodon.ML.Reporting;

/// <summary>One named line of a <see cref="LineChart"/>: paired x and y values, a colour and a marker.</summary>
public sealed record ChartSeries
{
    /// <summary>Creates a series, copying the values.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="y"/> differ in length.</exception>
    public ChartSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, Rgba color, MarkerShape marker)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException($"Series '{name}': x has {x.Count} values but y has {y.Count}; they must pair up.", nameof(y));
        Name = name;
        X = [.. x];
        Y = [.. y];
        Color = color;
        Marker = marker;
    }

    /// <summary>Legend text.</summary>
    public string Name { get; }
    /// <summary>X values; NaN or infinite values (and non-positive ones on a log axis) are skipped.</summary>
    public IReadOnlyList<double> X { get; }
    /// <summary>Y values, paired with <see cref="X"/>.</summary>
    public IReadOnlyList<double> Y { get; }
    /// <summary>Line and marker colour.</summary>
    public Rgba Color { get; }
    /// <summary>Shape drawn at each point.</summary>
    public MarkerShape Marker { get; }
}
