using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Mixed precision for a model (TorchSharp has no autocast): with <see cref="MatmulType"/> set to bf16 every
/// projection, the output head included, runs its matmul in bf16 on bf16 casts of the fp32 master weights, as
/// PyTorch's bf16 autocast does, while CEMA, TimestepNorm, RMSNorm and the attention softmax stay in fp32, as the
/// reference keeps them, and the logits are returned in fp32 so the loss is computed in fp32. Gradients flow back
/// through the casts to the fp32 weights.
/// </summary>
public sealed class PrecisionPolicy
{
    /// <summary>The dtype of projection matmuls; null computes them in the weights' own dtype.</summary>
    public ScalarType? MatmulType { get; set; }

    /// <summary>
    /// Keeps the output head's product in fp32 under <see cref="MatmulType"/>. Off by default, as in autocast: at a
    /// 32K vocabulary the head is the largest matmul of a step. On when early steps matter more than speed: on the
    /// bench config (8 x 256 tokens per step, lr 3e-3, CPU) the loss fell about 5-10 steps earlier in its steep phase
    /// with an fp32 head, and both reached the same loss (0.28) by step 80 (docs/benchmarks.md).
    /// </summary>
    public bool FullPrecisionHead { get; set; }

    /// <summary>Applies <paramref name="layer"/> to <paramref name="x"/> under this policy.</summary>
    internal Tensor Linear(Linear layer, Tensor x)
    {
        if (MatmulType is not { } type || x.dtype == ScalarType.Float64) return layer.forward(x);
        using var scope = NewDisposeScope();
        var weight = layer.weight!.to_type(type);
        var bias = layer.bias?.to_type(type);
        return nn.functional.linear(x.to_type(type), weight, bias).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Logits = <paramref name="hidden"/> · <paramref name="weight"/>ᵀ, always returned in fp32 (fp64 for an fp64
    /// model). Under bf16 the product itself runs in bf16 unless <see cref="FullPrecisionHead"/>: in fp32 it would
    /// run on the GPU's much slower non-tensor-core path.
    /// </summary>
    internal Tensor Logits(Tensor hidden, Tensor weight)
    {
        using var scope = NewDisposeScope();
        var real = ComputePrecision.RealFor(hidden.dtype);
        var product = MatmulType is { } type && !FullPrecisionHead && hidden.dtype != ScalarType.Float64
            ? nn.functional.linear(hidden.to_type(type), weight.to_type(type))
            : nn.functional.linear(hidden, weight);
        return product.to_type(real).MoveToOuterDisposeScope();
    }
}
