namespace Megalodon.ML.Training;

/// <summary>
/// A constant learning rate, with an optional linear warm-up. With no warm-up and the rate set to the pre-training
/// minimum, this is the "no re-warm" baseline of continual pre-training.
/// </summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="learningRate">The rate after warm-up.</param>
    /// <param name="warmupSteps">Warm-up length in steps (0: none).</param>
    /// <param name="warmupStartLearningRate">The rate at step 0 when there is a warm-up.</param>
    public ConstantSchedule(double learningRate, long warmupSteps = 0, double warmupStartLearningRate = 0)
    {
        CheckRate(learningRate, nameof(learningRate));
        CheckRate(warmupStartLearningRate, nameof(warmupStartLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        Rate = learningRate;
        WarmupSteps = warmupSteps;
        WarmupStartLearningRate = warmupStartLearningRate;
    }

    /// <summary>The rate after warm-up.</summary>
    public double Rate { get; }

    /// <summary>Warm-up length in steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>The rate at step 0 when there is a warm-up.</summary>
    public double WarmupStartLearningRate { get; }

    /// <inheritdoc/>
    protected override double Evaluate(long step) =>
        step < WarmupSteps ? Lerp(WarmupStartLearningRate, Rate, (double)step / WarmupSteps) : Rate;

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"Constant(lr={Rate}, warmup={WarmupSteps}, warmupStart={WarmupStartLearningRate})");
}
