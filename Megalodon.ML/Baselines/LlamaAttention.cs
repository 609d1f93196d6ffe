using Megalodon.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Baselines;

/// <summary>Causal multi-head self-attention over the whole sequence, with rotary embeddings on queries and keys.</summary>
internal sealed class LlamaAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear wqkv;   // q, k, v in one matmul: same parameters as three D×D projections, fewer kernel calls
    private readonly Linear wo;
    private readonly int _heads, _headDim;
    private readonly LlamaRotaryEmbedding _rope;
    private readonly PrecisionPolicy _precision;

    public LlamaAttention(LlamaConfig config, LlamaRotaryEmbedding rope, PrecisionPolicy precision, Device? device) : base(nameof(LlamaAttention))
    {
        wqkv = nn.Linear(config.ModelDim, 3L * config.ModelDim, hasBias: false, device: device);
        wo = nn.Linear(config.ModelDim, config.ModelDim, hasBias: false, device: device);
        _heads = config.NumHeads;
        _headDim = config.HeadDim;
        _rope = rope;
        _precision = precision;
        RegisterComponents();
    }

    /// <summary>The projections, for initialisation by the model.</summary>
    internal Linear Qkv => wqkv;
    /// <summary>The output projection, for initialisation by the model.</summary>
    internal Linear Out => wo;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], l = x.shape[1];
        var qkv = _precision.Linear(wqkv, x).view(b, l, 3, _heads, _headDim).permute(2, 0, 3, 1, 4);   // (3,B,H,L,d)
        var parts = qkv.unbind(0);
        // RoPE's fp32 tables promote q and k; the fused kernel wants one dtype (the values', bf16 under a bf16 policy).
        var q = _rope.Apply(parts[0]).to_type(parts[2].dtype);
        var k = _rope.Apply(parts[1]).to_type(parts[2].dtype);
        // PyTorch's fused kernel: 1/sqrt(d) scaling and the causal mask without materialising an L×L mask.
        var o = nn.functional.scaled_dot_product_attention(q, k, parts[2], is_casual: true);
        var merged = o.transpose(1, 2).reshape(b, l, _heads * _headDim);
        return _precision.Linear(wo, merged).MoveToOuterDisposeScope();
    }
}
