namespace Megalodon.ML.Parity;

/// <summary>Every check of one golden case, with the headline differences picked out.</summary>
/// <param name="CaseName">The case folder's name.</param>
/// <param name="Folder">The case folder.</param>
/// <param name="Checks">Every check, in the order they ran.</param>
/// <param name="Loss">This implementation's loss (null when not computed).</param>
/// <param name="ReferenceLoss">The fixture's loss (null when not read).</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record ParityResult(string CaseName, string Folder, IReadOnlyList<ParityCheck> Checks, double? Loss, double? ReferenceLoss, TimeSpan Elapsed)
{
    /// <summary>True when no check failed (skipped ones do not count against it).</summary>
    public bool Passed => Checks.All(c => c.Status != ParityStatus.Failed);

    /// <summary>The failed checks.</summary>
    public IEnumerable<ParityCheck> Failures => Checks.Where(c => c.Status == ParityStatus.Failed);

    /// <summary>The skipped checks.</summary>
    public IEnumerable<ParityCheck> Skipped => Checks.Where(c => c.Status == ParityStatus.Skipped);

    /// <summary>The check of an io tensor name, or null.</summary>
    public ParityCheck? this[string name] => Checks.FirstOrDefault(c => c.Name == name);

    /// <summary>Max abs difference of the logits.</summary>
    public double? LogitsMaxAbs => Worst(ParityCheckKind.Logits)?.Value;
    /// <summary>Max abs difference of the cached logits.</summary>
    public double? IncrementalMaxAbs => Worst(ParityCheckKind.Incremental)?.Value;
    /// <summary>Max abs difference of <c>hidden.final</c>.</summary>
    public double? HiddenMaxAbs => Worst(ParityCheckKind.Hidden)?.Value;
    /// <summary>The worst <c>layer0.*</c> check.</summary>
    public ParityCheck? WorstLayer0 => Worst(ParityCheckKind.Layer0);
    /// <summary>Abs difference of the loss.</summary>
    public double? LossAbsDiff => Worst(ParityCheckKind.Loss)?.Value;
    /// <summary>The gradient with the largest relative L2 error.</summary>
    public ParityCheck? WorstGradient => Worst(ParityCheckKind.Gradient);

    /// <summary>The worst check of a kind: a failure without a number first, then the largest value (NaN largest).</summary>
    public ParityCheck? Worst(ParityCheckKind kind) =>
        Checks.Where(c => c.Kind == kind && c.Status != ParityStatus.Skipped)
              .OrderByDescending(c => c.Value is null ? double.PositiveInfinity : double.IsNaN(c.Value.Value) ? double.MaxValue : c.Value.Value)
              .FirstOrDefault();
}
