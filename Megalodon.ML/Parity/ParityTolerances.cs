namespace Megalodon.ML.Parity;

/// <summary>
/// Acceptance bounds of a golden parity run. The defaults are the golden README's suggestions: 20 to 50 times the
/// few-1e-6 agreement of an independent float32 port, far below the 1e-2 where real mistakes show up.
/// </summary>
public sealed record ParityTolerances
{
    /// <summary>Max abs difference of the full-forward logits.</summary>
    public double LogitsMaxAbs { get; init; } = 1e-4;
    /// <summary>Max abs difference of the segment-by-segment (cached) logits.</summary>
    public double IncrementalMaxAbs { get; init; } = 1e-4;
    /// <summary>Max abs difference of <c>hidden.final</c>.</summary>
    public double HiddenMaxAbs { get; init; } = 1e-4;
    /// <summary>Max abs difference of each <c>layer0.*</c> intermediate.</summary>
    public double Layer0MaxAbs { get; init; } = 1e-4;
    /// <summary>Abs difference of the mean cross-entropy loss.</summary>
    public double LossAbs { get; init; } = 1e-5;
    /// <summary>Relative L2 error of each parameter gradient.</summary>
    public double GradientRelL2 { get; init; } = 1e-4;

    /// <summary>The README's suggested bounds.</summary>
    public static ParityTolerances Default { get; } = new();
}
