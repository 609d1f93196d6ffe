namespace Megalodon.ML.Training;

/// <summary>The learning-rate schedules of continual pre-training.</summary>
public enum ContinualScheduleKind
{
    /// <summary>Linear warm-up over a fraction of the new steps to the maximum, cosine down to the minimum (0.1 × max).</summary>
    ReWarmReDecay,

    /// <summary>A constant rate, by default the minimum (0.1 × max): the "no re-warm" baseline.</summary>
    Constant,

    /// <summary>Infinite schedule with a cosine cooldown: warm-up, cooldown to a constant rate, constant phase, exponential anneal.</summary>
    CosineInf,

    /// <summary>Infinite schedule with an inverse-square-root cooldown.</summary>
    InvSqrtInf,
}
