namespace Megalodon.ML.Training;

/// <summary>A progress report, sent after every optimizer step.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">This step's mean training loss.</param>
/// <param name="LearningRate">This step's learning rate.</param>
/// <param name="GradientNorm">This step's gradient norm before clipping.</param>
/// <param name="TokensPerSecond">Input tokens per second over this session (since <c>Train</c> was called).</param>
/// <param name="TokensSeen">Input tokens processed since the start of training (across resumes).</param>
/// <param name="Elapsed">Training time since the start (across resumes).</param>
/// <param name="EstimatedRemaining">Estimated time to the last step at this session's pace.</param>
/// <param name="LastValidation">The latest validation, if any.</param>
/// <param name="SkippedSteps">Steps whose update was skipped for a non-finite value.</param>
public sealed record TrainingProgress(
    long Step,
    long TotalSteps,
    double Loss,
    double LearningRate,
    double GradientNorm,
    double TokensPerSecond,
    long TokensSeen,
    TimeSpan Elapsed,
    TimeSpan EstimatedRemaining,
    ValidationResult? LastValidation,
    long SkippedSteps)
{
    /// <summary>The latest validation loss, if any.</summary>
    public double? LastValidationLoss => LastValidation?.Loss;
}
