namespace Megalodon.ML.Training;

/// <summary>
/// The knobs of the continual-pre-training schedules, with the published defaults (warm-up 1% of the steps, minimum
/// 0.1 × max, infinite schedules: constant 0.55 × max, cooldown ending at 60% of the steps, anneal from 85% of the
/// post-warm-up steps, α = 10), and the factory that places them over a run.
/// </summary>
public sealed record ContinualScheduleSettings
{
    /// <summary>The peak rate, usually the pre-training peak.</summary>
    public double MaxLearningRate { get; init; } = 3e-4;

    /// <summary>Warm-up as a fraction of the run's steps, in [0, 1).</summary>
    public double WarmupFraction { get; init; } = RewarmCosineSchedule.DefaultWarmupFraction;

    /// <summary>The minimum as a fraction of the maximum.</summary>
    public double MinLearningRateRatio { get; init; } = RewarmCosineSchedule.DefaultMinRatio;

    /// <summary>
    /// The constant rate: of <see cref="ContinualScheduleKind.Constant"/> (null: the minimum) and of the infinite
    /// schedules' constant phase (null: <see cref="DefaultConstantRatio"/> × max).
    /// </summary>
    public double? ConstantLearningRate { get; init; }

    /// <summary>End of the infinite schedules' cooldown, as a fraction of the steps.</summary>
    public double CooldownEndFraction { get; init; } = 0.6;

    /// <summary>Start of the infinite schedules' anneal, as a fraction of the post-warm-up steps; null for no anneal (stay constant).</summary>
    public double? AnnealStartFraction { get; init; } = 0.85;

    /// <summary>α of the InvSqrt cooldown.</summary>
    public double Timescale { get; init; } = InfiniteSchedule.DefaultTimescale;

    /// <summary>The published constant-phase rate relative to the maximum (1.65e-4 / 3e-4).</summary>
    public const double DefaultConstantRatio = 0.55;

    /// <summary>The minimum rate, <see cref="MaxLearningRate"/> × <see cref="MinLearningRateRatio"/>.</summary>
    public double MinLearningRate => MaxLearningRate * MinLearningRateRatio;

    /// <summary>Builds the schedule of <paramref name="kind"/> over a run of <paramref name="totalSteps"/> steps.</summary>
    /// <param name="kind">Which schedule.</param>
    /// <param name="totalSteps">Steps of the run.</param>
    /// <exception cref="ArgumentException">A setting is out of range for the schedule.</exception>
    public LearningRateSchedule Create(ContinualScheduleKind kind, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (!(MinLearningRateRatio > 0 && MinLearningRateRatio <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinLearningRateRatio), MinLearningRateRatio, "The minimum ratio must be in (0, 1].");
        return kind switch
        {
            ContinualScheduleKind.ReWarmReDecay => RewarmCosineSchedule.FromFraction(totalSteps, MaxLearningRate, WarmupFraction, MinLearningRate),
            ContinualScheduleKind.Constant => new ConstantSchedule(ConstantLearningRate ?? MinLearningRate),
            ContinualScheduleKind.CosineInf or ContinualScheduleKind.InvSqrtInf => InfiniteSchedule.FromFractions(
                kind == ContinualScheduleKind.CosineInf ? CooldownShape.Cosine : CooldownShape.InverseSqrt,
                totalSteps, MaxLearningRate, ConstantLearningRate ?? DefaultConstantRatio * MaxLearningRate, MinLearningRate,
                WarmupFraction, CooldownEndFraction, AnnealStartFraction, Timescale),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown schedule kind."),
        };
    }
}
