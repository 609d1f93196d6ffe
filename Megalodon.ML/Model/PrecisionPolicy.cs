using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Mixed precision for a model (TorchSharp has no autocast): with <see cref="MatmulType"/> set to bf16 every
/// projection runs its matmul in bf16 on bf16 casts of the fp32 master weights, while CEMA, TimestepNorm, RMSNorm,
/// the attention softmax and the logits stay in fp32, as the reference keeps them. Gradients flow back through the
/// casts to the fp32 weights.
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
}
