using System.Diagnostics;
using System.Runtime.InteropServices;
using Megalodon.ML.Native;

namespace Megalodon.Bench;

/// <summary>
/// What every bench result is printed with: the CPU model and the flags that decide matmul speed, the allocator
/// policy in force, and what a fresh 64 MiB allocate-and-fill costs on this host (page-fault cost, which decides how
/// much the heap policy matters: about 185 ms on the project's VM, a few ms on bare metal).
/// </summary>
internal static class MachineReport
{
    private static readonly string[] RelevantFlags = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile", "amx_int8"];

    /// <summary>The header lines.</summary>
    public static IEnumerable<string> Lines()
    {
        var (model, flags) = Cpu();
        yield return $"cpu: {model}; flags: {(flags.Length == 0 ? "n/a" : string.Join(' ', flags))}";
        yield return $"native heap: {NativeHeap.Description}";
        var (fresh, refill) = FreshMappingMilliseconds();
        yield return $"fresh 64 MiB map-and-fill: {fresh:F1} ms (refill of the same block: {refill:F1} ms)";
    }

    private static (string Model, string[] Flags) Cpu()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path)) return (RuntimeInformation.ProcessArchitecture.ToString(), []);
        string model = "unknown";
        string[] flags = [];
        foreach (string line in File.ReadLines(path))
        {
            if (model == "unknown" && line.StartsWith("model name", StringComparison.Ordinal)) model = line[(line.IndexOf(':') + 1)..].Trim();
            else if (flags.Length == 0 && line.StartsWith("flags", StringComparison.Ordinal))
            {
                var all = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
                flags = RelevantFlags.Where(all.Contains).ToArray();
            }
        }
        return (model, flags);
    }

    /// <summary>
    /// Maps 64 MiB of fresh anonymous memory, fills it (one page fault per page) and unmaps it: the cost a tensor pays
    /// when the allocator hands it new pages. Measured outside malloc so the heap policy does not hide it.
    /// </summary>
    /// <returns>Median milliseconds of three fresh map-and-fills, and of three refills of the mapped block.</returns>
    private static unsafe (double Fresh, double Refill) FreshMappingMilliseconds()
    {
        if (!OperatingSystem.IsLinux()) return (double.NaN, double.NaN);
        const nuint size = 64u << 20;
        const int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
        var fresh = new List<double>();
        var refill = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            long start = Stopwatch.GetTimestamp();
            void* block = mmap(null, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if ((nint)block == -1) return (double.NaN, double.NaN);
            new Span<byte>(block, (int)size).Fill(1);
            fresh.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            new Span<byte>(block, (int)size).Fill(2);
            refill.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            munmap(block, size);
        }
        return (Timing.Median(fresh), Timing.Median(refill));
    }

    [DllImport("libc")]
    private static extern unsafe void* mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc")]
    private static extern unsafe int munmap(void* address, nuint length);
}
