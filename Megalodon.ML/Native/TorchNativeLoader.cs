using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Megalodon.ML.Native;

/// <summary>
/// Makes TorchSharp's native library loadable before the first <c>torch</c> call: on Linux systems whose libstdc++
/// lacks <c>GLIBCXX_3.4.32</c> it weakens that version need in the application's copy of <c>libLibTorchSharp.so</c>,
/// and it can point TorchSharp at an existing libtorch folder (for example a PyTorch install's <c>lib</c> folder).
/// </summary>
/// <remarks>
/// This runs by itself when the Megalodon.ML assembly is first touched (a module initializer), so <c>dotnet test</c>,
/// <c>dotnet run</c> and published apps need no manual step. Systems that already have the version are left alone.
/// </remarks>
public static class TorchNativeLoader
{
    /// <summary>Environment variable naming a libtorch folder (holding <c>libtorch.so</c>, <c>libc10.so</c>, ...) to load instead of the bundled one.</summary>
    public const string LibTorchDirectoryVariable = "MEGALODON_LIBTORCH_DIR";

    /// <summary>The libstdc++ symbol version that TorchSharp 0.107 asks for but does not need.</summary>
    public const string UnneededGlibcxxVersion = "GLIBCXX_3.4.32";

    private const string TorchSharpNativeName = "libLibTorchSharp.so";
    private static readonly object Gate = new();
    private static bool _prepared;
    private static Exception? _failure;

    /// <summary>What the loader did, for diagnostics (null until it ran).</summary>
    public static string? Report { get; private set; }

#pragma warning disable CA2255 // A module initializer is exactly right here: it must run before TorchSharp loads its native library.
    [ModuleInitializer]
    internal static void OnAssemblyLoad()
#pragma warning restore CA2255
    {
        // Before any tensor exists: the heap policy must govern libtorch's first allocations too.
        NativeHeap.ApplyPolicy();
        try { Prepare(Environment.GetEnvironmentVariable(LibTorchDirectoryVariable)); }
        catch (Exception ex) { _failure = ex; }
    }

    /// <summary>
    /// Ensures the native libraries are ready. Call it before any TorchSharp use when you want an error at a clear
    /// point; the library calls it itself. Throws what the automatic preparation met, if anything.
    /// </summary>
    /// <param name="libTorchDirectory">A libtorch folder to load from; null keeps the bundled libtorch (or the environment variable's folder).</param>
    public static void EnsureReady(string? libTorchDirectory = null)
    {
        if (libTorchDirectory is not null)
            Prepare(libTorchDirectory);
        if (_failure is not null)
            throw new InvalidOperationException($"Megalodon.ML could not prepare TorchSharp's native library: {_failure.Message}", _failure);
    }

    /// <summary>
    /// Loads libtorch from <paramref name="libTorchDirectory"/> (the CUDA libraries too when present), then
    /// TorchSharp's own native library. Must run before the first <c>torch</c> call of the process.
    /// </summary>
    /// <param name="libTorchDirectory">The folder holding <c>libtorch.so</c> and friends.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist or holds no <c>libtorch_cpu.so</c>.</exception>
    public static void UseLibTorchFrom(string libTorchDirectory) => Prepare(libTorchDirectory);

    private static void Prepare(string? libTorchDirectory)
    {
        lock (Gate)
        {
            if (!OperatingSystem.IsLinux()) { _prepared = true; return; }
            if (!_prepared)
            {
                Report = PatchTorchSharpIfNeeded();
                _prepared = true;
            }
            if (!string.IsNullOrWhiteSpace(libTorchDirectory))
                LoadLibTorchFolder(libTorchDirectory);
        }
    }

    private static void LoadLibTorchFolder(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The libtorch folder '{directory}' (from {LibTorchDirectoryVariable} or UseLibTorchFrom) does not exist.");
        if (!File.Exists(Path.Combine(directory, "libtorch_cpu.so")))
            throw new DirectoryNotFoundException($"The folder '{directory}' holds no libtorch_cpu.so; point it at libtorch's lib folder (for PyTorch: <site-packages>/torch/lib).");
        // Dependency order: each library's needs are already resident when it loads.
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" })
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
                NativeLibrary.Load(path);
        }
        string? torchSharp = FindTorchSharpNative();
        if (torchSharp is not null)
            NativeLibrary.Load(torchSharp);
    }

    private static string PatchTorchSharpIfNeeded()
    {
        if (SystemLibStdCxxHas(UnneededGlibcxxVersion))
            return $"system libstdc++ provides {UnneededGlibcxxVersion}; nothing to do";
        string? path = FindTorchSharpNative();
        if (path is null)
            return $"{TorchSharpNativeName} not found next to the application; nothing to patch";
        try
        {
            return ElfVersionNeedPatcher.MakeVersionNeedWeak(path, UnneededGlibcxxVersion)
                ? $"weakened {UnneededGlibcxxVersion} in {path}"
                : $"{path} already loadable";
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InvalidOperationException(
                $"{path} needs {UnneededGlibcxxVersion}, which this system's libstdc++ lacks, and the file is read-only so it cannot be patched. " +
                "Make the application folder writable for one run, or install a libstdc++ from GCC 13 or later.", ex);
        }
    }

    /// <summary>Finds the application's copy of TorchSharp's native library (build output or RID-specific publish layout).</summary>
    internal static string? FindTorchSharpNative()
    {
        string baseDir = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", TorchSharpNativeName),
            Path.Combine(baseDir, TorchSharpNativeName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// True when the process's libstdc++ defines <c>std::ios_base_library_init()</c> (the one symbol TorchSharp binds
    /// at <see cref="UnneededGlibcxxVersion"/>) at <paramref name="version"/>, i.e. whether that version is provided.
    /// </summary>
    internal static bool SystemLibStdCxxHas(string version)
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out IntPtr handle))
            return false;
        // The one symbol TorchSharp binds at GLIBCXX_3.4.32; its presence at that version means the version exists.
        return dlvsym(handle, "_ZSt21ios_base_library_initv", version) != IntPtr.Zero;
    }

    [DllImport("libc", EntryPoint = "dlvsym")]
    private static extern IntPtr dlvsym(IntPtr handle, [MarshalAs(UnmanagedType.LPStr)] string symbol, [MarshalAs(UnmanagedType.LPStr)] string version);
}
