namespace Megalodon.Reports;

/// <summary>How a chart axis maps data values to positions.</summary>
public enum AxisScale
{
    /// <summary>Evenly spaced values.</summary>
    Linear,
    /// <summary>Logarithmic, ticks at powers of ten. Non-positive values are left out.</summary>
    Log10,
    /// <summary>Logarithmic, ticks at powers of two (suits context lengths such as 256..65536). Non-positive values are left out.</summary>
    Log2,
}
