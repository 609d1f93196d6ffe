namespace Megalodon.ML.Training;

/// <summary>The outcome of a finished run.</summary>
/// <param name="Steps">Steps completed.</param>
/// <param name="TokensSeen">Input tokens processed since the start of training.</param>
/// <param name="SkippedSteps">Steps whose update was skipped for a non-finite value.</param>
/// <param name="FinalLoss">The last step's training loss.</param>
/// <param name="FinalValidation">The last validation, if any.</param>
/// <param name="Elapsed">Training time since the start (across resumes).</param>
/// <param name="History">Every step's record (across resumes).</param>
/// <param name="Validations">Every validation (across resumes).</param>
public sealed record TrainingResult(
    long Steps,
    long TokensSeen,
    long SkippedSteps,
    double FinalLoss,
    ValidationResult? FinalValidation,
    TimeSpan Elapsed,
    IReadOnlyList<StepRecord> History,
    IReadOnlyList<ValidationResult> Validations);
