using System.Globalization;

namespace Megalodon.ML.Reporting;

/// <summary>
/// One chart axis: its scale, its data range (padded so end points sit off the frame), its tick
/// values and labels, and the map from data values to pixels.
/// </summary>
internal sealed class ChartAxis
{
    private readonly double _lo; // range ends in transformed units (log units on log axes)
    private readonly double _hi;

    private ChartAxis(AxisScale scale, double lo, double hi, double[] ticks, string[] labels)
    {
        Scale = scale;
        _lo = lo;
        _hi = hi;
        Ticks = ticks;
        Labels = labels;
    }

    public AxisScale Scale { get; }
    public IReadOnlyList<double> Ticks { get; }
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Whether a value can be placed on this axis (finite, and positive on log axes).</summary>
    public static bool IsPlottable(double v, AxisScale scale) => double.IsFinite(v) && (scale == AxisScale.Linear || v > 0);

    /// <summary>
    /// Builds an axis covering <paramref name="min"/>..<paramref name="max"/> (plottable values) with
    /// about one tick per <paramref name="pixelsPerTick"/> of its <paramref name="lengthPixels"/>.
    /// </summary>
    public static ChartAxis Create(double min, double max, AxisScale scale, int lengthPixels, int pixelsPerTick)
    {
        var maxTicks = Math.Max(2, lengthPixels / pixelsPerTick);
        double lo = Transform(min, scale), hi = Transform(max, scale);
        // Pad the range so the extreme points and their markers do not sit on the frame.
        double pad = hi > lo ? 0.05 * (hi - lo) : scale == AxisScale.Linear && lo != 0 ? Math.Abs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
        var ticks = scale switch
        {
            AxisScale.Log10 => Log10Ticks(lo, hi, maxTicks),
            AxisScale.Log2 => Log2Ticks(lo, hi, maxTicks),
            _ => null,
        };
        string[] labels;
        if (ticks is null || ticks.Length < 2)
        {
            // Linear ticks in data units, also the fallback for a log axis spanning too little for two log ticks.
            var step = NiceStep(Inverse(hi, scale) - Inverse(lo, scale), maxTicks);
            ticks = LinearTicks(Inverse(lo, scale), Inverse(hi, scale), step).Where(t => IsPlottable(t, scale)).ToArray();
            // A short axis may catch a single multiple of the step; one tick gives no sense of scale.
            for (var tries = 0; ticks.Length < 2 && tries < 6; tries++)
            {
                step = SmallerNiceStep(step);
                ticks = LinearTicks(Inverse(lo, scale), Inverse(hi, scale), step).Where(t => IsPlottable(t, scale)).ToArray();
            }
            labels = [.. ticks.Select(t => FormatLinear(t, step))];
        }
        else labels = [.. ticks.Select(FormatLog)];
        return new ChartAxis(scale, lo, hi, ticks, labels);
    }

    /// <summary>Pixel position of <paramref name="value"/> when the axis runs from pixel <paramref name="from"/> (range start) to <paramref name="to"/> (range end).</summary>
    public double ToPixel(double value, double from, double to) => from + (Transform(value, Scale) - _lo) / (_hi - _lo) * (to - from);

    /// <summary>A 1-2-5 step giving at most about <paramref name="maxTicks"/> ticks over <paramref name="span"/>.</summary>
    public static double NiceStep(double span, int maxTicks)
    {
        var raw = span / Math.Max(1, maxTicks);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalized = raw / magnitude;
        var nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>The next 1-2-5 step below <paramref name="step"/> (1 to 0.5, 2 to 1, 5 to 2).</summary>
    private static double SmallerNiceStep(double step)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(step)));
        var mantissa = Math.Round(step / magnitude);
        return mantissa >= 5 ? 2 * magnitude : mantissa >= 2 ? magnitude : magnitude / 2;
    }

    /// <summary>Multiples of <paramref name="step"/> within [lo, hi].</summary>
    public static double[] LinearTicks(double lo, double hi, double step)
    {
        var first = (long)Math.Ceiling(lo / step - 1e-9);
        var last = (long)Math.Floor(hi / step + 1e-9);
        // Multiplying (not accumulating) keeps ticks such as 0.3 free of drift; tiny values snap to 0.
        return [.. Enumerable.Range(0, (int)Math.Max(0, last - first + 1)).Select(i => (first + i) * step).Select(t => Math.Abs(t) < step * 1e-9 ? 0 : t)];
    }

    /// <summary>Label of a linear tick, with as many decimals as the step needs.</summary>
    public static string FormatLinear(double value, double step)
    {
        if (value == 0) return "0";
        var a = Math.Abs(value);
        if (a >= 1e6 || a < 1e-4) return value.ToString("0.##e0", CultureInfo.InvariantCulture);
        var decimals = step >= 1 ? 0 : Math.Clamp((int)Math.Ceiling(-Math.Log10(step) - 1e-9), 0, 10);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Label of a log tick: plain digits between 1e-4 and 1e6, exponent form outside.</summary>
    public static string FormatLog(double value)
    {
        var a = Math.Abs(value);
        return a >= 1e6 || a < 1e-4
            ? value.ToString("0.##e0", CultureInfo.InvariantCulture)
            : value.ToString("0.######", CultureInfo.InvariantCulture);
    }

    private static double[] Log10Ticks(double lo, double hi, int maxTicks)
    {
        var firstDecade = (int)Math.Floor(lo);
        var lastDecade = (int)Math.Ceiling(hi);
        // Few decades: add 2x and 5x ticks between powers of ten (the 1-2-5 pattern), if they fit.
        if (hi - lo <= 3.5)
        {
            var dense = new List<double>();
            for (var d = firstDecade; d <= lastDecade; d++)
                foreach (var m in (ReadOnlySpan<double>)[1, 2, 5])
                {
                    var t = m * Math.Pow(10, d);
                    if (Math.Log10(t) >= lo - 1e-9 && Math.Log10(t) <= hi + 1e-9) dense.Add(t);
                }
            if (dense.Count >= 2 && dense.Count <= maxTicks) return [.. dense];
        }
        return PowerTicks(10, lo, hi, maxTicks);
    }

    private static double[] Log2Ticks(double lo, double hi, int maxTicks) => PowerTicks(2, lo, hi, maxTicks);

    /// <summary>Powers of <paramref name="b"/> within [lo, hi] (exponents), thinned to every k-th so at most <paramref name="maxTicks"/> remain.</summary>
    private static double[] PowerTicks(double b, double lo, double hi, int maxTicks)
    {
        var first = (int)Math.Ceiling(lo - 1e-9);
        var last = (int)Math.Floor(hi + 1e-9);
        var count = last - first + 1;
        if (count <= 0) return [];
        var every = (int)Math.Ceiling(count / (double)maxTicks);
        // Anchor the thinning on multiples of `every` so ticks land on round exponents (e.g. 2^8, 2^10, ...).
        var start = first + ((every - first % every) % every);
        var ticks = new List<double>();
        for (var e = start; e <= last; e += every) ticks.Add(Math.Pow(b, e));
        return [.. ticks];
    }

    private static double Transform(double v, AxisScale scale) => scale switch
    {
        AxisScale.Log10 => Math.Log10(v),
        AxisScale.Log2 => Math.Log2(v),
        _ => v,
    };

    private static double Inverse(double t, AxisScale scale) => scale switch
    {
        AxisScale.Log10 => Math.Pow(10, t),
        AxisScale.Log2 => Math.Pow(2, t),
        _ => t,
    };
}
