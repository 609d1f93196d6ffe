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
    /// model). Under bf16 the product itself runs in bf16: at a 32K vocabulary the head is the largest single matmul
    /// of a step, and in fp32 it would run on the GPU's much slower non-tensor-core path.
    /// </summary>
    internal Tensor Logits(Tensor hidden, Tensor weight)
    {
        using var scope = NewDisposeScope();
        var real = ComputePrecision.RealFor(hidden.dtype);
        var product = MatmulType is { } type && hidden.dtype != ScalarType.Float64
            ? nn.functional.linear(hidden.to_type(type), weight.to_type(type))
            : nn.functional.linear(hidden, weight);
        return product.to_type(real).MoveToOuterDisposeScope();
    }
}
