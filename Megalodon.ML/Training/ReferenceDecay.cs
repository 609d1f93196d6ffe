namespace Megalodon.ML.Training;

/// <summary>The decay shape after warm-up in the reference repository's LambdaLR schedules (<c>OptimConf.scheduler</c>).</summary>
public enum ReferenceDecay
{
    /// <summary>Linear from 1 to the end ratio over the post-warm-up steps (the reference default, "linear").</summary>
    Linear,

    /// <summary>Cosine from 1 to the end ratio, repeated <c>cycles</c> times ("cosine").</summary>
    Cosine,

    /// <summary>Multiplier 1 after warm-up, forever ("constant").</summary>
    Constant,
}
