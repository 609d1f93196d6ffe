namespace Megalodon.ML.Reporting;

/// <summary>Distinct series colours (the familiar ten-colour categorical palette), reused cyclically.</summary>
public static class ChartPalette
{
    private static readonly Rgba[] Colors =
    [
        Rgba.FromHex("#1F77B4"), Rgba.FromHex("#FF7F0E"), Rgba.FromHex("#2CA02C"), Rgba.FromHex("#D62728"), Rgba.FromHex("#9467BD"),
        Rgba.FromHex("#8C564B"), Rgba.FromHex("#E377C2"), Rgba.FromHex("#7F7F7F"), Rgba.FromHex("#BCBD22"), Rgba.FromHex("#17BECF"),
    ];

    /// <summary>Number of colours before the palette repeats.</summary>
    public static int Count => Colors.Length;

    /// <summary>The colour of the series at <paramref name="index"/> (wraps around).</summary>
    public static Rgba Get(int index) => Colors[((index % Colors.Length) + Colors.Length) % Colors.Length];
}
