using TorchSharp;

namespace Megalodon.Bench;

/// <summary>Process memory from <c>/proc/self/status</c> (Linux), plus TorchSharp's count of live tensor handles.</summary>
internal readonly record struct ProcessMemory(long PeakRssBytes, long RssBytes, long LiveTensors)
{
    /// <summary>Reads the current values (zeros for RSS where /proc is unavailable).</summary>
    public static ProcessMemory Read()
    {
        long peak = 0, rss = 0;
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (string line in File.ReadLines(status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = KiloBytes(line) * 1024;
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = KiloBytes(line) * 1024;
            }
        }
        return new ProcessMemory(peak, rss, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>Bytes as MiB, for tables.</summary>
    public static double MiB(long bytes) => bytes / (1024.0 * 1024.0);

    private static long KiloBytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
