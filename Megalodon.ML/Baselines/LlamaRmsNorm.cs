using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Baselines;

/// <summary>Llama's RMSNorm: x · rsqrt(mean(x²) + eps) · w over the last dimension, w initialised to 1.</summary>
internal sealed class LlamaRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public LlamaRmsNorm(long dim, double eps, Device? device = null) : base(nameof(LlamaRmsNorm))
    {
        weight = nn.Parameter(torch.ones(dim, device: device));
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var rms = x.square().mean([-1L], keepdim: true).add_(_eps).rsqrt_();
        return (x * rms * weight).MoveToOuterDisposeScope();
    }
}
