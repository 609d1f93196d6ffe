using Megalodon.ML.Native;
using static TorchSharp.torch;

namespace Megalodon.ML.Runtime;

/// <summary>
/// Sets TorchSharp's intra-op thread count for one call (a Fit) when the caller asked for one, and restores the
/// previous count afterwards; without a request it changes nothing. A library call must not leave the process with
/// another thread count (<see cref="TorchDevices.ConfigureThreads"/> is the application-level setting).
/// </summary>
public sealed class ThreadCountScope : IDisposable
{
    private int? _previous;

    private ThreadCountScope(int? previous, int count)
    {
        _previous = previous;
        Count = count;
    }

    /// <summary>The thread count in effect inside the scope.</summary>
    public int Count { get; }

    /// <summary>Uses <paramref name="threads"/> until disposed; null keeps the current count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive.</exception>
    public static ThreadCountScope Use(int? threads)
    {
        TorchNativeLoader.EnsureReady();
        if (threads is <= 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Thread count must be positive.");
        int current = get_num_threads();
        if (threads is not { } count || count == current) return new ThreadCountScope(null, current);
        set_num_threads(count);
        return new ThreadCountScope(current, count);
    }

    /// <summary>Restores the previous count, if this scope changed it.</summary>
    public void Dispose()
    {
        if (_previous is { } previous)
        {
            _previous = null;
            set_num_threads(previous);
        }
    }
}
