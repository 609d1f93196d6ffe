using System.Runtime.InteropServices;

namespace Megalodon.ML.Native;

/// <summary>
/// The library's native allocation policy on glibc (Linux). libtorch takes every tensor from <c>malloc</c>, and by
/// default glibc serves large blocks with fresh <c>mmap</c>s and hands freed memory back to the kernel at once, so a
/// training step re-faults its large temporaries every time: on a VM where page faults are expensive, allocating and
/// filling a new 64 MiB tensor cost about 185 ms against 2 ms for refilling one (docs/benchmarks.md, "Native heap").
/// The policy keeps freed blocks in the process instead and gives memory back only at chosen points: after a
/// prefill-sized streaming call (a generation's prompt included) and at the end of training (<see cref="Trim"/>).
/// </summary>
/// <remarks>
/// <para>Applied once, when the Megalodon.ML assembly loads (before the first tensor exists):</para>
/// <list type="bullet">
/// <item><c>M_MMAP_THRESHOLD</c> = 1 GiB: blocks below it come from the heap and are reused after a free.</item>
/// <item><c>M_TRIM_THRESHOLD</c> = 2 GiB - 1: free memory at the heap's top is kept unless <see cref="Trim"/> is called.</item>
/// <item><c>M_ARENA_MAX</c> = 1: every thread allocates from the main heap. Other threads' arenas are capped at 64 MiB
/// each, so a larger tensor allocated on a worker thread (ML.NET cursors, a test host, Task.Run) would still be a
/// fresh mapping every time; small blocks stay lock-free through glibc's per-thread cache.</item>
/// </list>
/// <para>These settings are process-wide by nature. Setting <c>MEGALODON_NATIVE_HEAP=system</c> before the process
/// starts leaves glibc's own behaviour (and any <c>GLIBC_TUNABLES</c> or <c>MALLOC_*</c> variables the user set) alone;
/// so does any <c>glibc.malloc</c> tunable already in <c>GLIBC_TUNABLES</c>. Other C libraries and systems are left
/// untouched.</para>
/// </remarks>
public static class NativeHeap
{
    /// <summary>Environment variable: <c>system</c> keeps glibc's default allocation behaviour.</summary>
    public const string PolicyVariable = "MEGALODON_NATIVE_HEAP";

    /// <summary>Blocks below this size come from the reusable heap instead of a fresh mapping.</summary>
    public const int MmapThresholdBytes = 1 << 30;

    /// <summary>Free memory at the heap's top kept before glibc trims by itself (int.MaxValue: only <see cref="Trim"/> returns it).</summary>
    public const int TrimThresholdBytes = int.MaxValue;

    // glibc's mallopt parameter numbers (malloc.h).
    private const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_ARENA_MAX = -8;

    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>What the policy did in this process, for benchmarks and diagnostics (printed with every bench result).</summary>
    public static string Description { get; private set; } = "not applied";

    /// <summary>Whether the library's policy is in force (false: glibc's defaults or the user's own settings).</summary>
    public static bool PolicyApplied { get; private set; }

    /// <summary>Applies the policy once; called by the assembly's module initializer before any tensor exists.</summary>
    internal static void ApplyPolicy()
    {
        if (_unavailable) { Description = "not glibc: system allocator unchanged"; return; }
        if (string.Equals(Environment.GetEnvironmentVariable(PolicyVariable), "system", StringComparison.OrdinalIgnoreCase))
        {
            Description = $"{PolicyVariable}=system: glibc defaults" + UserTunables();
            return;
        }
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { } tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
        {
            Description = "GLIBC_TUNABLES sets malloc itself: policy not applied" + UserTunables();
            return;
        }
        try
        {
            bool ok = mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1
                    & mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1
                    & mallopt(M_ARENA_MAX, 1) == 1;
            PolicyApplied = ok;
            Description = ok
                ? $"Megalodon policy: mmap_threshold={MmapThresholdBytes}, trim_threshold={TrimThresholdBytes}, arena_max=1, trim after prefill and training"
                : "glibc refused part of the policy (mallopt returned 0): allocator partly at its defaults";
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true; // not glibc (for example musl)
            Description = "no mallopt (not glibc): system allocator unchanged";
        }
    }

    private static string UserTunables() =>
        Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { Length: > 0 } t ? $" (GLIBC_TUNABLES={t})" : "";

    /// <summary>
    /// Gives freed native memory back to the operating system (glibc's <c>malloc_trim(0)</c>); a no-op elsewhere.
    /// The library calls it at its chosen points; an application can call it after its own large work.
    /// </summary>
    public static void Trim()
    {
        if (_unavailable) return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true; // not glibc (for example musl): nothing to trim
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
