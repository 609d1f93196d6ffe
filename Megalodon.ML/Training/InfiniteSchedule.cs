namespace Megalodon.ML.Training;

/// <summary>
/// An "infinite" learning-rate schedule for continual pre-training without re-warming: linear warm-up to the maximum,
/// a cooldown to a constant rate, a constant phase that can last as long as new data keeps arriving, and an optional
/// exponential anneal to the minimum before deployment.
/// </summary>
/// <remarks>
/// <para>Phases, with <c>Tw = WarmupSteps</c>, <c>Tcd = CooldownEndStep</c>, <c>Tann = AnnealStartStep</c>,
/// <c>Tend = AnnealEndStep</c>:</para>
/// <list type="number">
/// <item><c>t &lt; Tw</c>: linear from <c>WarmupStartLearningRate</c> to the maximum.</item>
/// <item><c>Tw ≤ t ≤ Tcd</c>, <c>s = (t − Tw)/(Tcd − Tw)</c>: Cosine <c>c + ½(max − c)(1 + cos πs)</c>;
/// InvSqrt <c>max + (c − max)·g(s)/g(1)</c> with <c>g(x) = 1/√(1 + αx) − 1</c>; or Linear.</item>
/// <item><c>Tcd &lt; t ≤ Tann</c> (or forever when there is no anneal): the constant rate <c>c</c>.</item>
/// <item><c>Tann &lt; t ≤ Tend</c>: <c>c·(min/c)^((t − Tann)/(Tend − Tann))</c>; after <c>Tend</c>: the minimum.</item>
/// </list>
/// <para>To deploy, anneal a copy (<see cref="WithAnneal"/>) from a constant-phase checkpoint and keep training the
/// un-annealed one.</para>
/// </remarks>
public sealed class InfiniteSchedule : LearningRateSchedule
{
    /// <summary>The InvSqrt timescale α used in the published configurations.</summary>
    public const double DefaultTimescale = 10.0;

    /// <summary>Creates the schedule from explicit phase boundaries.</summary>
    /// <param name="shape">The cooldown shape.</param>
    /// <param name="maxLearningRate">The peak at the end of warm-up.</param>
    /// <param name="constantLearningRate">The rate of the constant phase.</param>
    /// <param name="minLearningRate">The rate at the end of the anneal (positive: the anneal is exponential).</param>
    /// <param name="warmupSteps">Warm-up length <c>Tw</c>.</param>
    /// <param name="cooldownEndStep">End of the cooldown <c>Tcd</c>, greater than <c>Tw</c>.</param>
    /// <param name="annealStartStep">Start of the anneal <c>Tann</c> (≥ <c>Tcd</c>); null for no anneal.</param>
    /// <param name="annealEndStep">End of the anneal <c>Tend</c> (&gt; <c>Tann</c>); null for no anneal.</param>
    /// <param name="timescale">α of the InvSqrt cooldown.</param>
    /// <param name="warmupStartLearningRate">The rate at step 0.</param>
    public InfiniteSchedule(
        CooldownShape shape,
        double maxLearningRate,
        double constantLearningRate,
        double minLearningRate,
        long warmupSteps,
        long cooldownEndStep,
        long? annealStartStep = null,
        long? annealEndStep = null,
        double timescale = DefaultTimescale,
        double warmupStartLearningRate = 0)
    {
        if (!Enum.IsDefined(shape))
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown cooldown shape.");
        CheckRate(maxLearningRate, nameof(maxLearningRate));
        CheckRate(constantLearningRate, nameof(constantLearningRate));
        CheckRate(minLearningRate, nameof(minLearningRate));
        CheckRate(warmupStartLearningRate, nameof(warmupStartLearningRate));
        if (!(maxLearningRate >= constantLearningRate && constantLearningRate >= minLearningRate && minLearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(constantLearningRate), constantLearningRate,
                $"Need max ≥ constant ≥ min > 0; got max {maxLearningRate}, constant {constantLearningRate}, min {minLearningRate}.");
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (cooldownEndStep <= warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(cooldownEndStep), cooldownEndStep,
                $"The cooldown must end after the warm-up ({warmupSteps}).");
        if (annealStartStep.HasValue != annealEndStep.HasValue)
            throw new ArgumentException("Give both anneal boundaries or neither.", nameof(annealEndStep));
        if (annealStartStep is { } ann && annealEndStep is { } end && (ann < cooldownEndStep || end <= ann))
            throw new ArgumentOutOfRangeException(nameof(annealStartStep), ann,
                $"Need cooldown end ({cooldownEndStep}) ≤ anneal start ({ann}) < anneal end ({end}).");
        if (!double.IsFinite(timescale) || timescale <= 0)
            throw new ArgumentOutOfRangeException(nameof(timescale), timescale, "The timescale must be positive.");

        Shape = shape;
        MaxLearningRate = maxLearningRate;
        ConstantLearningRate = constantLearningRate;
        MinLearningRate = minLearningRate;
        WarmupSteps = warmupSteps;
        CooldownEndStep = cooldownEndStep;
        AnnealStartStep = annealStartStep;
        AnnealEndStep = annealEndStep;
        Timescale = timescale;
        WarmupStartLearningRate = warmupStartLearningRate;
    }

    /// <summary>
    /// Places the boundaries by fractions of a planned run, as in the published configurations: warm-up
    /// <c>round(fw·T)</c>, cooldown end <c>round(fcd·T)</c>, anneal start <c>Tw + round(fann·(T − Tw))</c> (a fraction of
    /// the post-warm-up steps), anneal end <c>T</c>.
    /// </summary>
    /// <param name="shape">The cooldown shape.</param>
    /// <param name="totalSteps">The planned run length <c>T</c>.</param>
    /// <param name="maxLearningRate">Peak (published: 3e-4).</param>
    /// <param name="constantLearningRate">Constant phase (published: 1.65e-4).</param>
    /// <param name="minLearningRate">Anneal target (published: 3e-5).</param>
    /// <param name="warmupFraction">Warm-up fraction of <c>T</c> (published: 0.01).</param>
    /// <param name="cooldownEndFraction">Cooldown end as a fraction of <c>T</c> (published: 0.6).</param>
    /// <param name="annealStartFraction">Anneal start as a fraction of the post-warm-up steps (published: 0.85); null for no anneal.</param>
    /// <param name="timescale">α of the InvSqrt cooldown.</param>
    public static InfiniteSchedule FromFractions(
        CooldownShape shape,
        long totalSteps,
        double maxLearningRate = 3e-4,
        double constantLearningRate = 1.65e-4,
        double minLearningRate = 3e-5,
        double warmupFraction = 0.01,
        double cooldownEndFraction = 0.6,
        double? annealStartFraction = 0.85,
        double timescale = DefaultTimescale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        var tw = RoundSteps(warmupFraction * totalSteps);
        var tcd = RoundSteps(cooldownEndFraction * totalSteps);
        long? tann = annealStartFraction is { } f ? tw + RoundSteps(f * (totalSteps - tw)) : null;
        long? tend = annealStartFraction is null ? null : totalSteps;
        return new InfiniteSchedule(shape, maxLearningRate, constantLearningRate, minLearningRate, tw, tcd, tann, tend, timescale);
    }

    /// <summary>Cosine Inf with the published fractions and rates.</summary>
    /// <param name="totalSteps">The planned run length.</param>
    /// <param name="maxLearningRate">Peak.</param>
    /// <param name="constantLearningRate">Constant phase.</param>
    /// <param name="minLearningRate">Anneal target.</param>
    public static InfiniteSchedule CosineInf(
        long totalSteps, double maxLearningRate = 3e-4, double constantLearningRate = 1.65e-4, double minLearningRate = 3e-5) =>
        FromFractions(CooldownShape.Cosine, totalSteps, maxLearningRate, constantLearningRate, minLearningRate);

    /// <summary>InvSqrt Inf with the published fractions, rates and timescale.</summary>
    /// <param name="totalSteps">The planned run length.</param>
    /// <param name="maxLearningRate">Peak.</param>
    /// <param name="constantLearningRate">Constant phase.</param>
    /// <param name="minLearningRate">Anneal target.</param>
    public static InfiniteSchedule InvSqrtInf(
        long totalSteps, double maxLearningRate = 3e-4, double constantLearningRate = 1.65e-4, double minLearningRate = 3e-5) =>
        FromFractions(CooldownShape.InverseSqrt, totalSteps, maxLearningRate, constantLearningRate, minLearningRate);

    /// <summary>The same schedule with the anneal placed (or moved) to [<paramref name="annealStartStep"/>, <paramref name="annealEndStep"/>].</summary>
    /// <param name="annealStartStep">Last step of the constant phase.</param>
    /// <param name="annealEndStep">Step at which the minimum is reached.</param>
    public InfiniteSchedule WithAnneal(long annealStartStep, long annealEndStep) =>
        new(Shape, MaxLearningRate, ConstantLearningRate, MinLearningRate, WarmupSteps, CooldownEndStep,
            annealStartStep, annealEndStep, Timescale, WarmupStartLearningRate);

    /// <summary>The same schedule without an anneal: constant forever after the cooldown.</summary>
    public InfiniteSchedule WithoutAnneal() =>
        new(Shape, MaxLearningRate, ConstantLearningRate, MinLearningRate, WarmupSteps, CooldownEndStep,
            null, null, Timescale, WarmupStartLearningRate);

    /// <summary>The cooldown shape.</summary>
    public CooldownShape Shape { get; }

    /// <summary>The peak at the end of warm-up.</summary>
    public double MaxLearningRate { get; }

    /// <summary>The rate of the constant phase.</summary>
    public double ConstantLearningRate { get; }

    /// <summary>The rate at the end of the anneal.</summary>
    public double MinLearningRate { get; }

    /// <summary>Warm-up length <c>Tw</c>.</summary>
    public long WarmupSteps { get; }

    /// <summary>End of the cooldown <c>Tcd</c>.</summary>
    public long CooldownEndStep { get; }

    /// <summary>Start of the anneal <c>Tann</c>, or null for none.</summary>
    public long? AnnealStartStep { get; }

    /// <summary>End of the anneal <c>Tend</c>, or null for none.</summary>
    public long? AnnealEndStep { get; }

    /// <summary>α of the InvSqrt cooldown.</summary>
    public double Timescale { get; }

    /// <summary>The rate at step 0.</summary>
    public double WarmupStartLearningRate { get; }

    /// <inheritdoc/>
    protected override double Evaluate(long step)
    {
        if (step < WarmupSteps)
            return Lerp(WarmupStartLearningRate, MaxLearningRate, (double)step / WarmupSteps);
        if (step <= CooldownEndStep)
            return Cooldown(Fraction(step, WarmupSteps, CooldownEndStep));
        if (AnnealStartStep is not { } ann || AnnealEndStep is not { } end || step <= ann)
            return ConstantLearningRate;
        if (step >= end)
            return MinLearningRate;
        var x = Fraction(step, ann, end);
        return ConstantLearningRate * Math.Pow(MinLearningRate / ConstantLearningRate, x);
    }

    private double Cooldown(double s) => Shape switch
    {
        CooldownShape.Cosine => ConstantLearningRate + 0.5 * (MaxLearningRate - ConstantLearningRate) * (1 + Math.Cos(Math.PI * s)),
        CooldownShape.InverseSqrt => MaxLearningRate + (ConstantLearningRate - MaxLearningRate) * InvSqrtG(s) / InvSqrtG(1),
        _ => Lerp(MaxLearningRate, ConstantLearningRate, s),
    };

    private double InvSqrtG(double x) => 1.0 / Math.Sqrt(1.0 + Timescale * x) - 1.0;

    private static long RoundSteps(double steps) => (long)Math.Round(steps, MidpointRounding.AwayFromZero);

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant(
            $"Infinite({Shape}, max={MaxLearningRate}, const={ConstantLearningRate}, min={MinLearningRate}, warmup={WarmupSteps}, cooldownEnd={CooldownEndStep}, annealStart={AnnealStartStep?.ToString() ?? "none"}, annealEnd={AnnealEndStep?.ToString() ?? "none"}, alpha={Timescale}, warmupStart={WarmupStartLearningRate})");
}
