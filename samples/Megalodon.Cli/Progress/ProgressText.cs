using System.Globalization;

namespace Megalodon.Cli.Progress;

/// <summary>Short invariant-culture renderings of durations and rates for progress output.</summary>
internal static class ProgressText
{
    /// <summary><c>m:ss</c> under an hour, else <c>h:mm:ss</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero || span.TotalDays > 99) return "--:--";
        var total = (long)Math.Round(span.TotalSeconds);
        long hours = total / 3600, minutes = total / 60 % 60, seconds = total % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}:{minutes:00}:{seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}:{seconds:00}");
    }

    /// <summary>A whole number with thousands separators, e.g. <c>12,345</c>.</summary>
    public static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
