using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// One Megalodon layer with the two-hop residual (paper §3.4): <c>y = x + MAGA(x)</c>, then
/// <c>x' = x + FFN(LayerNorm(y))</c> — the feed-forward residual reaches back to the block input x.
/// </summary>
public sealed class MegalodonBlock : nn.Module<Tensor, Tensor>
{
    private readonly int _layerIndex;
    private readonly MovingAverageGatedAttention mega;
    private readonly NormalizedFeedForward nffn;

    /// <summary>
    /// Creates layer <paramref name="layerIndex"/>, computing its projections under <paramref name="precision"/> and its
    /// attention with the kernel of <paramref name="attention"/> (null: <see cref="AttentionKernel.Auto"/>).
    /// </summary>
    public MegalodonBlock(MegalodonConfig config, int layerIndex, PrecisionPolicy precision, AttentionPolicy? attention = null) : base(nameof(MegalodonBlock))
    {
        _layerIndex = layerIndex;
        mega = new MovingAverageGatedAttention(config, layerIndex, precision, attention);
        nffn = new NormalizedFeedForward(config, layerIndex, precision);
        register_module("mega", mega);
        register_module("nffn", nffn);
    }

    internal MovingAverageGatedAttention Attention => mega;
    internal NormalizedFeedForward FeedForward => nffn;

    /// <summary>Not available alone: a block needs the model's shared rotary table; use the owning <see cref="MegalodonModel"/>.</summary>
    public override Tensor forward(Tensor x) => throw new NotSupportedException("MegalodonBlock runs inside a MegalodonModel, which supplies the shared rotary table.");

    internal Tensor Forward(Tensor x, RotaryEmbedding rope, LayerState? state, Action<string, Tensor>? tap)
    {
        using var scope = NewDisposeScope();
        var y = mega.Forward(x, rope, state, tap);
        var output = x + nffn.forward(y);
        tap?.Invoke($"layer{_layerIndex}.out", output);
        return output.MoveToOuterDisposeScope();
    }
}
