using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Baselines;

/// <summary>One pre-norm decoder block: x + Attn(RMSNorm(x)), then + FFN(RMSNorm(·)).</summary>
internal sealed class LlamaBlock : nn.Module<Tensor, Tensor>
{
    private readonly LlamaRmsNorm attention_norm;
    private readonly LlamaAttention attention;
    private readonly LlamaRmsNorm ffn_norm;
    private readonly LlamaFeedForward feed_forward;

    public LlamaBlock(LlamaConfig config, LlamaRotaryEmbedding rope, PrecisionPolicy precision, Device? device) : base(nameof(LlamaBlock))
    {
        attention_norm = new LlamaRmsNorm(config.ModelDim, config.NormEps, device);
        attention = new LlamaAttention(config, rope, precision, device);
        ffn_norm = new LlamaRmsNorm(config.ModelDim, config.NormEps, device);
        feed_forward = new LlamaFeedForward(config, precision, device);
        RegisterComponents();
    }

    /// <summary>The attention sub-layer, for initialisation by the model.</summary>
    internal LlamaAttention Attention => attention;
    /// <summary>The feed-forward sub-layer, for initialisation by the model.</summary>
    internal LlamaFeedForward FeedForward => feed_forward;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = x + attention.forward(attention_norm.forward(x));
        var y = h + feed_forward.forward(ffn_norm.forward(h));
        return y.MoveToOuterDisposeScope();
    }
}
