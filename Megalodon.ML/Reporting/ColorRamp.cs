namespace Megalodon.ML.Reporting;

/// <summary>A continuous colour scale: evenly spaced colour stops, linearly interpolated.</summary>
public sealed class ColorRamp
{
    private readonly Rgba[] _stops;

    /// <summary>Creates a ramp through <paramref name="stops"/>, the first at 0 and the last at 1.</summary>
    /// <exception cref="ArgumentException">Fewer than two stops.</exception>
    public ColorRamp(IReadOnlyList<Rgba> stops)
    {
        ArgumentNullException.ThrowIfNull(stops);
        if (stops.Count < 2) throw new ArgumentException($"A colour ramp needs at least two stops; got {stops.Count}.", nameof(stops));
        _stops = [.. stops];
    }

    /// <summary>
    /// A viridis-like ramp (dark purple, blue, green, yellow): perceptually even, readable in grey
    /// and by colour-blind readers, and brighter for larger values.
    /// </summary>
    public static ColorRamp Viridis { get; } = new(
    [
        Rgba.FromHex("#440154"), Rgba.FromHex("#472C7A"), Rgba.FromHex("#3B518B"), Rgba.FromHex("#2C718E"), Rgba.FromHex("#21908D"),
        Rgba.FromHex("#27AD81"), Rgba.FromHex("#5CC863"), Rgba.FromHex("#AADC32"), Rgba.FromHex("#FDE725"),
    ]);

    /// <summary>Black to white.</summary>
    public static ColorRamp Grayscale { get; } = new([Rgba.Black, Rgba.White]);

    /// <summary>Colour at <paramref name="t"/> in 0..1 (clamped; NaN maps to 0).</summary>
    public Rgba Map(double t)
    {
        if (double.IsNaN(t)) t = 0;
        var position = Math.Clamp(t, 0, 1) * (_stops.Length - 1);
        var i = Math.Min((int)position, _stops.Length - 2);
        return Rgba.Lerp(_stops[i], _stops[i + 1], position - i);
    }
}
