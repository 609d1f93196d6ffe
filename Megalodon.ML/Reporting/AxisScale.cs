namespace Megalodon.ML.Reporting;

/// <summary>How a chart axis maps data values to positions.</summary>
public enum AxisScale
{
    /// <summary>Evenly spaced values; ticks at 1-2-5 steps.</summary>
    Linear,
    /// <summary>Logarithmic, ticks at powers of ten (with 2 and 5 between them when the range spans few decades). Non-positive values are skipped.</summary>
    Log10,
    /// <summary>Logarithmic, ticks at powers of two (suits context lengths such as 256..65536). Non-positive values are skipped.</summary>
    Log2,
}
