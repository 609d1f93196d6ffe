namespace Megalodon.ML.Reporting;

/// <summary>Draws <see cref="MarkerShape"/>s; shapes cycle per series so lines stay distinct even in greyscale.</summary>
internal static class MarkerPainter
{
    private static readonly MarkerShape[] Cycle = [MarkerShape.Circle, MarkerShape.Square, MarkerShape.Diamond, MarkerShape.Triangle];

    /// <summary>The default marker of the series at <paramref name="index"/>.</summary>
    public static MarkerShape ForSeries(int index) => Cycle[index % Cycle.Length];

    /// <summary>Draws a marker of half-size <paramref name="r"/> centred on (<paramref name="cx"/>, <paramref name="cy"/>).</summary>
    public static void Draw(PngImage image, MarkerShape shape, int cx, int cy, int r, Rgba color)
    {
        switch (shape)
        {
            case MarkerShape.Circle:
                image.FillCircle(cx, cy, r, color);
                break;
            case MarkerShape.Square:
                image.FillRect(cx - r, cy - r, 2 * r + 1, 2 * r + 1, color);
                break;
            case MarkerShape.Diamond:
                // One pixel larger than the square so both read as the same size.
                for (var dy = -r - 1; dy <= r + 1; dy++)
                {
                    var half = r + 1 - Math.Abs(dy);
                    image.FillRect(cx - half, cy + dy, 2 * half + 1, 1, color);
                }
                break;
            case MarkerShape.Triangle:
                for (var dy = -r - 1; dy <= r; dy++)
                {
                    var half = (dy + r + 1) * (r + 1) / (2 * r + 1);
                    image.FillRect(cx - half, cy + dy, 2 * half + 1, 1, color);
                }
                break;
        }
    }
}
