namespace Megalodon.ML.Reporting;

/// <summary>Text placement helpers shared by the charts: centring and right-alignment with the built-in font.</summary>
internal static class ChartText
{
    /// <summary>Text colour of titles, labels and ticks.</summary>
    public static Rgba Ink => new(34, 34, 34);

    public static int Width(string text, int scale) => BitmapFont.Measure(text, scale).Width;

    /// <summary>Draws text whose top edge is at <paramref name="top"/>, centred on <paramref name="centreX"/>.</summary>
    public static void Centered(PngImage image, int centreX, int top, string text, Rgba color, int scale) =>
        image.DrawText(centreX - Width(text, scale) / 2, top, text, color, scale);

    /// <summary>Draws text ending at <paramref name="right"/>, vertically centred on <paramref name="centreY"/>.</summary>
    public static void RightAligned(PngImage image, int right, int centreY, string text, Rgba color, int scale) =>
        image.DrawText(right - Width(text, scale), centreY - BitmapFont.CapHeight * scale / 2, text, color, scale);

    /// <summary>Draws text reading bottom to top, its left edge at <paramref name="left"/>, centred on <paramref name="centreY"/>.</summary>
    public static void VerticalCentered(PngImage image, int left, int centreY, string text, Rgba color, int scale) =>
        image.DrawTextVertical(left, centreY + Width(text, scale) / 2, text, color, scale);

    /// <summary>Cuts <paramref name="text"/> with "..." so it fits <paramref name="maxWidth"/> pixels.</summary>
    public static string Fit(string text, int maxWidth, int scale)
    {
        if (Width(text, scale) <= maxWidth) return text;
        var chars = Math.Max(0, (maxWidth / scale + 1) / BitmapFont.Advance - 3);
        return text[..Math.Min(chars, text.Length)] + "...";
    }
}
