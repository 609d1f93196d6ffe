namespace Megalodon.ML.Training;

/// <summary>What happened in one optimizer step.</summary>
/// <param name="Step">Steps completed after this one (1-based); its learning rate is the schedule's value at <c>Step − 1</c>.</param>
/// <param name="Loss">Mean next-token cross-entropy over the step's target tokens (NaN or infinite for a skipped step).</param>
/// <param name="LearningRate">The learning rate used.</param>
/// <param name="GradientNorm">Global L2 gradient norm before clipping (NaN when the step was skipped before it was measured).</param>
/// <param name="TokensSeen">Input tokens processed from the start of training to the end of this step.</param>
/// <param name="Skipped">Whether the update was skipped for a non-finite loss or gradient.</param>
public sealed record StepRecord(long Step, double Loss, double LearningRate, double GradientNorm, long TokensSeen, bool Skipped);
