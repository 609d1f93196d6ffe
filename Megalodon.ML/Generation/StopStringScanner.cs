namespace Megalodon.ML.Generation;

/// <summary>
/// Decides how much of a growing text may be emitted when generation must stop before any stop string: text that
/// could still turn into a stop string is held back until it can't.
/// </summary>
public static class StopStringScanner
{
    /// <summary>Scans <paramref name="text"/>; returns the prefix safe to emit and whether a stop string was reached.</summary>
    public static (string Emittable, bool Stopped) Scan(string text, IReadOnlyList<string> stopStrings)
    {
        int firstStop = -1;
        foreach (var stop in stopStrings)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (firstStop < 0 || at < firstStop)) firstStop = at;
        }
        if (firstStop >= 0) return (text[..firstStop], true);

        // Hold back the longest tail that is a proper prefix of some stop string.
        int holdBack = 0;
        foreach (var stop in stopStrings)
            for (int len = Math.Min(stop.Length - 1, text.Length); len > holdBack; len--)
                if (text.AsSpan(text.Length - len).SequenceEqual(stop.AsSpan(0, len))) { holdBack = len; break; }
        return (text[..^holdBack], false);
    }
}
