namespace Megalodon.ML.Encoder;

/// <summary>
/// Validation during tagger fine-tuning: a score of the current weights (higher is better, e.g. entity F1 on a dev
/// set) taken every <see cref="IntervalSteps"/> steps, early stopping after <see cref="Patience"/> checks without a
/// better score, and the best weights put back at the end.
/// </summary>
public sealed record TaggerValidation
{
    /// <summary>Scores the classifier as it stands (it is in evaluation mode during the call); higher is better.</summary>
    public required Func<TokenClassifier, double> Score { get; init; }

    /// <summary>Steps between checks (the last step is always checked); 0 checks once per pass over the training data.</summary>
    public int IntervalSteps { get; init; }

    /// <summary>Checks in a row without a better score that stop training; 0 never stops early.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Put back the weights of the best check when training ends (otherwise the last weights stay).</summary>
    public bool RestoreBest { get; init; } = true;

    /// <summary>Called after every check (for logs and tables).</summary>
    public Action<ValidationCheck>? OnCheck { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative interval or patience.</exception>
    public TaggerValidation Validate()
    {
        ArgumentNullException.ThrowIfNull(Score);
        if (IntervalSteps < 0) throw new ArgumentOutOfRangeException(nameof(IntervalSteps), IntervalSteps, "The validation interval must not be negative.");
        if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "The patience must not be negative.");
        return this;
    }
}
