namespace Megalodon.ML.Training;

/// <summary>
/// The reference Megalodon repository's schedule: a LambdaLR multiplier on a peak learning rate. Warm-up rises linearly
/// from <c>InitRatio</c> to 1; then, with <c>s = (step − warmup)/(total − warmup)</c>, linear decay <c>s·re + (1 − s)</c>,
/// cosine decay <c>re + ½(1 − re)(cos(π·s·cycles) + 1)</c>, or constant 1; after <c>TotalSteps</c> the linear and cosine
/// shapes hold <c>re</c>.
/// </summary>
/// <remarks>
/// Defaults are the reference <c>OptimConf</c> values: peak 1e-3, warm-up 2000, init ratio 1e-4, end ratio 0.01, cycles 1.
/// As in the reference code, step <c>TotalSteps</c> itself still uses the decay formula (<c>step ≤ total</c>), and the
/// constant shape never switches to the end ratio.
/// </remarks>
public sealed class ReferenceSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="totalSteps">The run's total optimizer steps (the decay ends here).</param>
    /// <param name="decay">The post-warm-up shape.</param>
    /// <param name="peakLearningRate">The learning rate the multipliers scale (the optimizer's <c>lr</c>).</param>
    /// <param name="warmupSteps">Warm-up length in steps.</param>
    /// <param name="initRatio">Multiplier at step 0.</param>
    /// <param name="endRatio">Multiplier at and after the end of the decay.</param>
    /// <param name="cycles">Cosine cycles over the decay (cosine only).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or a decaying shape has no decay steps.</exception>
    public ReferenceSchedule(
        long totalSteps,
        ReferenceDecay decay = ReferenceDecay.Linear,
        double peakLearningRate = 1e-3,
        long warmupSteps = 2000,
        double initRatio = 1e-4,
        double endRatio = 0.01,
        double cycles = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        CheckRate(peakLearningRate, nameof(peakLearningRate));
        CheckRate(initRatio, nameof(initRatio));
        CheckRate(endRatio, nameof(endRatio));
        if (!double.IsFinite(cycles) || cycles <= 0)
            throw new ArgumentOutOfRangeException(nameof(cycles), cycles, "Cycles must be positive.");
        // The reference divides by (total − warmup); a decaying shape needs at least one decay step.
        if (decay != ReferenceDecay.Constant && totalSteps <= warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
                $"Total steps ({totalSteps}) must exceed the warm-up steps ({warmupSteps}) for a {decay} decay.");
        if (!Enum.IsDefined(decay))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "Unknown decay shape.");

        TotalSteps = totalSteps;
        Decay = decay;
        PeakLearningRate = peakLearningRate;
        WarmupSteps = warmupSteps;
        InitRatio = initRatio;
        EndRatio = endRatio;
        Cycles = cycles;
    }

    /// <summary>The run's total optimizer steps.</summary>
    public long TotalSteps { get; }

    /// <summary>The post-warm-up shape.</summary>
    public ReferenceDecay Decay { get; }

    /// <summary>The learning rate the multipliers scale.</summary>
    public double PeakLearningRate { get; }

    /// <summary>Warm-up length in steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>Multiplier at step 0.</summary>
    public double InitRatio { get; }

    /// <summary>Multiplier at the end of the decay and after it.</summary>
    public double EndRatio { get; }

    /// <summary>Cosine cycles over the decay.</summary>
    public double Cycles { get; }

    /// <summary>The LambdaLR multiplier at <paramref name="step"/> (the learning rate divided by the peak).</summary>
    /// <param name="step">The optimizer step, 0 or more.</param>
    public double Multiplier(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
            return InitRatio + step * (1.0 - InitRatio) / WarmupSteps;
        if (Decay == ReferenceDecay.Constant)
            return 1.0;
        if (step > TotalSteps)
            return EndRatio;
        var s = Fraction(step, WarmupSteps, TotalSteps);
        return Decay == ReferenceDecay.Linear
            ? s * EndRatio + (1 - s)
            : EndRatio + 0.5 * (1 - EndRatio) * (Math.Cos(Math.PI * s * Cycles) + 1);
    }

    /// <inheritdoc/>
    protected override double Evaluate(long step) => PeakLearningRate * Multiplier(step);

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant(
            $"Reference({Decay}, peak={PeakLearningRate}, warmup={WarmupSteps}, total={TotalSteps}, init={InitRatio}, end={EndRatio}, cycles={Cycles})");
}
