using System.Runtime.InteropServices;

namespace Megalodon.ML.Native;

/// <summary>
/// Gives freed native memory back to the operating system. glibc keeps large freed blocks in its heap (its mmap
/// threshold rises after big frees), so a long stream of prefill calls would otherwise grow the resident set even
/// though the model's live tensors and streaming state stay the same size.
/// </summary>
internal static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Calls glibc's <c>malloc_trim(0)</c>; a no-op elsewhere (other C libraries, other systems).</summary>
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
}
