using System.Globalization;

namespace Megalodon.ML.Reporting;

/// <summary>An 8-bit-per-channel colour with alpha.</summary>
/// <param name="R">Red, 0..255.</param>
/// <param name="G">Green, 0..255.</param>
/// <param name="B">Blue, 0..255.</param>
/// <param name="A">Alpha, 0 (transparent) to 255 (opaque).</param>
public readonly record struct Rgba(byte R, byte G, byte B, byte A = 255)
{
    /// <summary>Opaque white.</summary>
    public static Rgba White => new(255, 255, 255);
    /// <summary>Opaque black.</summary>
    public static Rgba Black => new(0, 0, 0);
    /// <summary>Mid grey, for grid lines and frames.</summary>
    public static Rgba Gray => new(128, 128, 128);
    /// <summary>Light grey, for faint grid lines.</summary>
    public static Rgba LightGray => new(225, 225, 225);
    /// <summary>Fully transparent black.</summary>
    public static Rgba Transparent => new(0, 0, 0, 0);

    /// <summary>Parses "#RRGGBB" or "#RRGGBBAA" (the '#' is optional).</summary>
    public static Rgba FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var s = hex.StartsWith('#') ? hex[1..] : hex;
        if (s.Length is not (6 or 8) || !uint.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
            throw new ArgumentException($"Colour '{hex}' is not of the form #RRGGBB or #RRGGBBAA.", nameof(hex));
        if (s.Length == 6) v = (v << 8) | 0xFF;
        return new((byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }

    /// <summary>Linear blend: t = 0 gives <paramref name="a"/>, t = 1 gives <paramref name="b"/>.</summary>
    public static Rgba Lerp(Rgba a, Rgba b, double t)
    {
        t = Math.Clamp(t, 0, 1);
        static byte Mix(byte x, byte y, double t) => (byte)Math.Round(x + (y - x) * t);
        return new(Mix(a.R, b.R, t), Mix(a.G, b.G, t), Mix(a.B, b.B, t), Mix(a.A, b.A, t));
    }

    /// <summary>Relative luminance in 0..1 (Rec. 709 weights on the raw channels); used to pick readable text colours.</summary>
    public double Luminance => (0.2126 * R + 0.7152 * G + 0.0722 * B) / 255.0;

    /// <summary>"#RRGGBBAA".</summary>
    public override string ToString() => $"#{R:X2}{G:X2}{B:X2}{A:X2}";
}
