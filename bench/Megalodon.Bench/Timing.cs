using System.Diagnostics;

namespace Megalodon.Bench;

/// <summary>Wall-clock timing: warm-ups, then timed runs summarised by their median (robust to a noisy shared machine).</summary>
internal static class Timing
{
    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times untimed, then <paramref name="runs"/> times timed.</summary>
    /// <returns>The timed runs in milliseconds.</returns>
    public static double[] Measure(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++)
            action();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return times;
    }

    /// <summary>Median of <paramref name="values"/> (mean of the middle two for even counts).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("No values.", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Milliseconds since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static double Since(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
