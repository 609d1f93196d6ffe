using Megalodon.ML.Native;
using static TorchSharp.torch;

namespace Megalodon.ML.Runtime;

/// <summary>
/// Borrows TorchSharp's global CPU generator for one call (a Fit, a training run) and gives it back as it was.
/// TorchSharp's module constructors (default initialisation) and dropout draw from that generator and take no
/// generator of their own, so a reproducible run must seed it; this scope does so without leaving the process with a
/// changed random state. Calls on other threads that draw from the global generator during the scope share it.
/// </summary>
public sealed class GlobalRandomScope : IDisposable
{
    private Tensor? _saved;

    private GlobalRandomScope(Tensor saved) => _saved = saved;

    /// <summary>Saves the global generator's state and seeds it with <paramref name="seed"/>; disposing restores the saved state.</summary>
    public static GlobalRandomScope Seeded(long seed)
    {
        var scope = Saved();
        manual_seed(seed);
        return scope;
    }

    /// <summary>Saves the global generator's state; disposing restores it (the draws made meanwhile leave no trace).</summary>
    public static GlobalRandomScope Saved()
    {
        TorchNativeLoader.EnsureReady();
        return new GlobalRandomScope(random.get_rng_state().DetachFromDisposeScope());
    }

    /// <summary>Restores the state saved at the start.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _saved, null) is not { } saved) return;
        random.set_rng_state(saved);
        saved.Dispose();
    }
}
