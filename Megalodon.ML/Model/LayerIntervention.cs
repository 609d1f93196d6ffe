using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// Changes a layer's output hidden states during a forward pass (activation steering and similar interventions).
/// Pass it to a forward call (<see cref="MegalodonModel.ForwardHidden"/>, <see cref="MegalodonModel.StepHidden"/>);
/// without one the forward pass is untouched.
/// </summary>
public abstract class LayerIntervention
{
    /// <summary>
    /// Returns the hidden states to pass on from layer <paramref name="layerIndex"/>: <paramref name="output"/> itself
    /// when this layer is not changed, else a new tensor of the same shape.
    /// </summary>
    /// <param name="layerIndex">The layer (0-based) whose output this is.</param>
    /// <param name="output">The layer's output (B, L, D); it belongs to the forward pass's dispose scope.</param>
    /// <param name="context">Where each row's last real token is and whether this call ends the model call.</param>
    public abstract Tensor Apply(int layerIndex, Tensor output, InterventionContext context);
}

/// <summary>What an intervention needs to know about the positions of one forward call.</summary>
/// <param name="LastPositions">
/// Per row, the position of its last real token when rows are right-padded; null when the last position of the tensor
/// is every row's last token.
/// </param>
/// <param name="EndsCall">
/// False for the earlier pieces of a streaming call that is processed in several pieces: their last position is not the
/// call's last token.
/// </param>
public readonly record struct InterventionContext(IReadOnlyList<long>? LastPositions, bool EndsCall);
