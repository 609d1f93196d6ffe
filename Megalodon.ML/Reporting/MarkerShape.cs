namespace Megalodon.ML.Reporting;

/// <summary>Shape drawn at each data point of a chart series.</summary>
public enum MarkerShape
{
    /// <summary>No marker; the line alone.</summary>
    None,
    /// <summary>A filled disc.</summary>
    Circle,
    /// <summary>A filled square.</summary>
    Square,
    /// <summary>A filled diamond (square turned 45 degrees).</summary>
    Diamond,
    /// <summary>A filled triangle pointing up.</summary>
    Triangle,
}
