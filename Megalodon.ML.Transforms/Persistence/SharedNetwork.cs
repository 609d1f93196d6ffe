using Megalodon.ML.Model;

namespace Megalodon.ML.Transforms;

/// <summary>
/// A network that several transformers use (a fitted language model and the Steer or LayerActivations transformers
/// built from it): each holds a <see cref="SharedNetworkLease"/>, and the network is disposed when the last lease is.
/// Disposing one transformer therefore never breaks another that shares its network.
/// </summary>
internal sealed class SharedNetwork
{
    private readonly object _gate = new();
    private int _holders;

    private SharedNetwork(MegalodonModel model) => Model = model;

    /// <summary>The network.</summary>
    public MegalodonModel Model { get; }

    /// <summary>Takes ownership of <paramref name="model"/>: the first lease.</summary>
    public static SharedNetworkLease Own(MegalodonModel model) => new SharedNetwork(model ?? throw new ArgumentNullException(nameof(model))).Acquire();

    /// <summary>One more holder.</summary>
    /// <exception cref="ObjectDisposedException">Every lease has been disposed: the network is gone.</exception>
    public SharedNetworkLease Acquire()
    {
        lock (_gate)
        {
            if (_holders == 0 && _released) throw new ObjectDisposedException(nameof(MegalodonModel), "The network was disposed with the last transformer that used it.");
            _holders++;
            return new SharedNetworkLease(this);
        }
    }

    private bool _released;

    internal void Release()
    {
        lock (_gate)
        {
            if (--_holders > 0) return;
            _released = true;
        }
        Model.Dispose();
    }
}

/// <summary>One holder's share of a <see cref="SharedNetwork"/>; disposing it twice releases once.</summary>
internal sealed class SharedNetworkLease : IDisposable
{
    private readonly SharedNetwork _network;
    private int _disposed;

    internal SharedNetworkLease(SharedNetwork network) => _network = network;

    /// <summary>The shared network.</summary>
    public MegalodonModel Model => _network.Model;

    /// <summary>A new lease on the same network, for another holder.</summary>
    public SharedNetworkLease Share() => _network.Acquire();

    /// <summary>Lets go of the network; the last holder disposes it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _network.Release();
    }
}
