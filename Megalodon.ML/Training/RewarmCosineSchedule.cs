namespace Megalodon.ML.Training;

/// <summary>
/// Linear warm-up then cosine decay: the "re-warm + re-decay" schedule of continual pre-training (and the usual
/// pre-training cosine). Warm-up ramps from <c>WarmupStartLearningRate</c> to <c>MaxLearningRate</c> over
/// <c>WarmupSteps</c>; the cosine runs from the maximum at <c>WarmupSteps</c> to <c>MinLearningRate</c> at
/// <c>TotalSteps</c>, which it then holds.
/// </summary>
/// <remarks>
/// Continual-pre-training defaults: the warm-up is 1% of the new task's steps and the minimum is 0.1 × the maximum;
/// the maximum is usually the pre-training peak. Ramping from the minimum instead of 0 gives the "repeated cosine"
/// variant (<see cref="RepeatedFromMinimum"/>).
/// </remarks>
public sealed class RewarmCosineSchedule : LearningRateSchedule
{
    /// <summary>The continual-pre-training default warm-up fraction (1% of the new steps).</summary>
    public const double DefaultWarmupFraction = 0.01;

    /// <summary>The continual-pre-training default ratio of the minimum to the maximum rate.</summary>
    public const double DefaultMinRatio = 0.1;

    /// <summary>Creates the schedule with explicit step counts.</summary>
    /// <param name="totalSteps">Steps of this run (the cosine ends here).</param>
    /// <param name="warmupSteps">Warm-up length in steps; less than <paramref name="totalSteps"/>.</param>
    /// <param name="maxLearningRate">The peak reached at the end of warm-up.</param>
    /// <param name="minLearningRate">The rate at the end; null means 0.1 × the maximum.</param>
    /// <param name="warmupStartLearningRate">The rate at step 0.</param>
    public RewarmCosineSchedule(
        long totalSteps, long warmupSteps, double maxLearningRate, double? minLearningRate = null, double warmupStartLearningRate = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (totalSteps <= warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
                $"Total steps ({totalSteps}) must exceed the warm-up steps ({warmupSteps}).");
        CheckRate(maxLearningRate, nameof(maxLearningRate));
        var min = minLearningRate ?? DefaultMinRatio * maxLearningRate;
        CheckRate(min, nameof(minLearningRate));
        CheckRate(warmupStartLearningRate, nameof(warmupStartLearningRate));
        if (min > maxLearningRate)
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), min, "The minimum must not exceed the maximum.");
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
        MaxLearningRate = maxLearningRate;
        MinLearningRate = min;
        WarmupStartLearningRate = warmupStartLearningRate;
    }

    /// <summary>Creates the schedule with the warm-up given as a fraction of the steps (rounded to whole steps).</summary>
    /// <param name="totalSteps">Steps of this run.</param>
    /// <param name="maxLearningRate">The peak reached at the end of warm-up.</param>
    /// <param name="warmupFraction">Warm-up as a fraction of <paramref name="totalSteps"/>, in [0, 1).</param>
    /// <param name="minLearningRate">The rate at the end; null means 0.1 × the maximum.</param>
    /// <param name="warmupStartLearningRate">The rate at step 0.</param>
    public static RewarmCosineSchedule FromFraction(
        long totalSteps, double maxLearningRate, double warmupFraction = DefaultWarmupFraction,
        double? minLearningRate = null, double warmupStartLearningRate = 0)
    {
        if (!(warmupFraction >= 0 && warmupFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "The warm-up fraction must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        var warmup = (long)Math.Round(warmupFraction * totalSteps, MidpointRounding.AwayFromZero);
        return new RewarmCosineSchedule(totalSteps, Math.Min(warmup, totalSteps - 1), maxLearningRate, minLearningRate, warmupStartLearningRate);
    }

    /// <summary>
    /// The repeated-cosine variant used as the baseline for several continual tasks: warm-up ramps from the minimum rate
    /// (where the previous task ended) to the maximum, then the cosine returns to the minimum.
    /// </summary>
    /// <param name="totalSteps">Steps of this task.</param>
    /// <param name="maxLearningRate">The peak.</param>
    /// <param name="warmupFraction">Warm-up as a fraction of <paramref name="totalSteps"/>.</param>
    /// <param name="minLearningRate">Start and end rate; null means 0.1 × the maximum.</param>
    public static RewarmCosineSchedule RepeatedFromMinimum(
        long totalSteps, double maxLearningRate, double warmupFraction = DefaultWarmupFraction, double? minLearningRate = null)
    {
        var min = minLearningRate ?? DefaultMinRatio * maxLearningRate;
        return FromFraction(totalSteps, maxLearningRate, warmupFraction, min, min);
    }

    /// <summary>Steps of this run.</summary>
    public long TotalSteps { get; }

    /// <summary>Warm-up length in steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>The peak at the end of warm-up.</summary>
    public double MaxLearningRate { get; }

    /// <summary>The rate at <see cref="TotalSteps"/> and after.</summary>
    public double MinLearningRate { get; }

    /// <summary>The rate at step 0.</summary>
    public double WarmupStartLearningRate { get; }

    /// <inheritdoc/>
    protected override double Evaluate(long step)
    {
        if (step < WarmupSteps)
            return Lerp(WarmupStartLearningRate, MaxLearningRate, (double)step / WarmupSteps);
        if (step >= TotalSteps)
            return MinLearningRate;
        var s = Fraction(step, WarmupSteps, TotalSteps);
        return MinLearningRate + 0.5 * (MaxLearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * s));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant(
            $"RewarmCosine(max={MaxLearningRate}, min={MinLearningRate}, warmup={WarmupSteps}, total={TotalSteps}, warmupStart={WarmupStartLearningRate})");
}
