namespace Megalodon.Reports;

/// <summary>One named line of a <see cref="LineChart"/>: its points in data units.</summary>
/// <param name="Name">The legend entry; empty for none.</param>
/// <param name="X">The x values.</param>
/// <param name="Y">The y values, one per x value.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);
