namespace Megalodon.ML.Training;

/// <summary>How an infinite schedule cools down from the maximum to the constant rate after warm-up.</summary>
public enum CooldownShape
{
    /// <summary>Half cosine from the maximum to the constant rate ("Cosine Inf").</summary>
    Cosine,

    /// <summary>Inverse square root, steep early and flat later, with a timescale α ("InvSqrt Inf").</summary>
    InverseSqrt,

    /// <summary>A straight line from the maximum to the constant rate.</summary>
    Linear,
}
