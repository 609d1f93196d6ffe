using Megalodon.ML.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Runtime;

/// <summary>
/// Turns a user's device choice into a TorchSharp device, the way ML.NET users expect: <c>cpu</c>, <c>cuda</c>,
/// <c>cuda:N</c> or <c>auto</c>, plus MLContext-style <c>GpuDeviceId</c> and <c>FallbackToCpu</c>.
/// </summary>
public static class TorchDevices
{
    /// <summary>Environment variable with the default intra-op thread count.</summary>
    public const string ThreadsVariable = "MEGALODON_THREADS";

    /// <summary>
    /// Resolves a device specification.
    /// </summary>
    /// <param name="spec"><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c> or null (auto: CUDA when available, else CPU).</param>
    /// <param name="fallbackToCpu">When CUDA is asked for but unavailable, use the CPU instead of throwing.</param>
    /// <exception cref="ArgumentException">The text is not a device specification.</exception>
    /// <exception cref="InvalidOperationException">CUDA was asked for and is unavailable (and no fallback), or the index is out of range.</exception>
    public static Device Resolve(string? spec, bool fallbackToCpu = false)
    {
        TorchNativeLoader.EnsureReady();
        string text = (spec ?? "auto").Trim().ToLowerInvariant();
        if (text is "auto" or "") return cuda.is_available() ? CUDA : CPU;
        if (text == "cpu") return CPU;
        if (text == "cuda") return Cuda(0, fallbackToCpu);
        if (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out int index) && index >= 0)
            return Cuda(index, fallbackToCpu);
        throw new ArgumentException($"Unknown device '{spec}'. Use cpu, cuda, cuda:N or auto.", nameof(spec));
    }

    /// <summary>Resolves MLContext-style settings: a GPU id (null: CPU) and whether to fall back to the CPU.</summary>
    public static Device Resolve(int? gpuDeviceId, bool fallbackToCpu) =>
        gpuDeviceId is { } id ? Cuda(id, fallbackToCpu) : Resolve("cpu");

    private static Device Cuda(int index, bool fallbackToCpu)
    {
        if (!cuda.is_available())
        {
            if (fallbackToCpu) return CPU;
            throw new InvalidOperationException(
                "CUDA was requested but is not available: the loaded libtorch has no CUDA support (the default build uses TorchSharp-cpu; " +
                $"build with -p:TorchBackend=cuda, or point {TorchNativeLoader.LibTorchDirectoryVariable} at a CUDA libtorch such as a PyTorch install), " +
                "or no GPU is visible. Ask for 'cpu' or allow the CPU fallback.");
        }
        int count = cuda.device_count();
        if (index >= count)
        {
            if (fallbackToCpu) return CPU;
            throw new InvalidOperationException($"CUDA device {index} was requested but only {count} device(s) are visible.");
        }
        return new Device(DeviceType.CUDA, index);
    }

    /// <summary>The application default thread count: <see cref="ThreadsVariable"/> when set, else 1.</summary>
    public static int DefaultThreadCount =>
        int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out int fromEnv) ? fromEnv : 1;

    /// <summary>Whether two devices are the same one: same type and same index.</summary>
    internal static bool Same(Device a, Device b) => a.type == b.type && a.index == b.index;

    /// <summary>
    /// Sets TorchSharp's intra-op thread count: the given value, else <see cref="ThreadsVariable"/>, else 1 (on small
    /// machines one thread beats two for the small operations of modest models).
    /// </summary>
    /// <returns>The count in effect.</returns>
    /// <remarks>An application-level setting (the CLI, the bench); library Fits change the count only when asked, and restore it.</remarks>
    public static int ConfigureThreads(int? threads = null)
    {
        TorchNativeLoader.EnsureReady();
        int count = threads ?? DefaultThreadCount;
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(threads), count, "Thread count must be positive.");
        set_num_threads(count);
        return count;
    }
}
