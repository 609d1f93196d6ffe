namespace Megalodon.ML.Training;

/// <summary>What the trainer does when a step's loss or gradient norm is NaN or infinite.</summary>
public enum NonFiniteLossPolicy
{
    /// <summary>Stop training with a <see cref="NonFiniteLossException"/> naming the step; the weights are left as they were before that step.</summary>
    Stop,

    /// <summary>
    /// Drop the step's gradients and skip the optimizer update. The step still counts (its data is consumed and the
    /// schedule moves on), so step numbers, data order and checkpoints stay aligned with an unaffected run.
    /// </summary>
    SkipStep,
}
