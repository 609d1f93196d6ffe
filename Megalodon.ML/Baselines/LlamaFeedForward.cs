using Megalodon.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Baselines;

/// <summary>SwiGLU feed-forward: w2( SiLU(w1 x) ⊙ w3 x ), no biases.</summary>
internal sealed class LlamaFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear w13;   // w1 and w3 stacked: one matmul instead of two, same parameter count
    private readonly Linear w2;
    private readonly long _hidden;
    private readonly PrecisionPolicy _precision;

    public LlamaFeedForward(LlamaConfig config, PrecisionPolicy precision, Device? device) : base(nameof(LlamaFeedForward))
    {
        _hidden = config.FfnHiddenDim;
        _precision = precision;
        w13 = nn.Linear(config.ModelDim, 2 * _hidden, hasBias: false, device: device);
        w2 = nn.Linear(_hidden, config.ModelDim, hasBias: false, device: device);
        RegisterComponents();
    }

    /// <summary>The stacked input projections, for initialisation by the model.</summary>
    internal Linear In => w13;
    /// <summary>The output projection, for initialisation by the model.</summary>
    internal Linear Out => w2;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var gateUp = _precision.Linear(w13, x).chunk(2, -1);
        var hidden = nn.functional.silu(gateUp[0]).mul_(gateUp[1]);
        return _precision.Linear(w2, hidden).MoveToOuterDisposeScope();
    }
}
