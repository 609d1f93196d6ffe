using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// The attention kernel of a model, shared by its layers like <see cref="PrecisionPolicy"/>: change
/// <see cref="Kernel"/> on the model and every layer's next forward uses it.
/// </summary>
public sealed class AttentionPolicy
{
    /// <summary>The kernel; <see cref="AttentionKernel.Auto"/> (default) picks the measured-fastest one.</summary>
    public AttentionKernel Kernel { get; set; } = AttentionKernel.Auto;

    /// <summary>The kernel used for activations on <paramref name="device"/>: never <see cref="AttentionKernel.Auto"/>.</summary>
    public AttentionKernel For(Device device) => Kernel switch
    {
        // Measured on an H200 (AttentionKernel.Auto's doc): the fused kernels did not beat the explicit path there.
        AttentionKernel.Auto => AttentionKernel.Explicit,
        var chosen => chosen,
    };
}
