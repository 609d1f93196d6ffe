using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Baselines;

/// <summary>
/// Rotary position embedding in the rotate-half layout: dimension i is paired with i + d/2 and rotated by the
/// angle pos·base^(−2i/d). The cos/sin tables are cached per length and device.
/// </summary>
internal sealed class LlamaRotaryEmbedding : IDisposable
{
    private readonly int _headDim;
    private readonly double _base;
    private Tensor? _cos, _sin;   // (Lmax, d), kept out of every dispose scope

    public LlamaRotaryEmbedding(int headDim, double ropeBase)
    {
        _headDim = headDim;
        _base = ropeBase;
    }

    /// <summary>Rotates x (B,H,L,d) by the angles of positions 0..L−1.</summary>
    public Tensor Apply(Tensor x)
    {
        long length = x.shape[^2];
        EnsureTables(length, x.device);
        using var scope = torch.NewDisposeScope();
        var cos = _cos!.narrow(0, 0, length);
        var sin = _sin!.narrow(0, 0, length);
        var halves = x.chunk(2, -1);
        var rotated = torch.cat([halves[1].neg(), halves[0]], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }

    private void EnsureTables(long length, Device device)
    {
        if (_cos is not null && _cos.shape[0] >= length && _cos.device_type == device.type && _cos.device_index == device.index)
            return;
        _cos?.Dispose();
        _sin?.Dispose();
        using var scope = torch.NewDisposeScope();
        var inv = torch.pow(_base, torch.arange(0, _headDim, 2, dtype: ScalarType.Float64) / _headDim).reciprocal();
        var angles = torch.outer(torch.arange(length, dtype: ScalarType.Float64), inv);   // (L, d/2), fp64 for long lengths
        angles = torch.cat([angles, angles], -1);
        _cos = angles.cos().to(ScalarType.Float32).to(device).DetachFromDisposeScope();
        _sin = angles.sin().to(ScalarType.Float32).to(device).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _cos?.Dispose();
        _sin?.Dispose();
        _cos = _sin = null;
    }
}
