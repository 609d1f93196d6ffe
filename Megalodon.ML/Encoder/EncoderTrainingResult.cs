namespace Megalodon.ML.Encoder;

/// <summary>What one of the encoder's trainers did.</summary>
/// <param name="Losses">Every step's training loss, in order.</param>
/// <param name="Elapsed">Wall time of the training loop.</param>
/// <param name="Tokens">Input tokens processed.</param>
public sealed record EncoderTrainingResult(IReadOnlyList<double> Losses, TimeSpan Elapsed, long Tokens)
{
    /// <summary>Mean loss of the first <paramref name="count"/> steps (all when fewer).</summary>
    /// <param name="count">Steps averaged.</param>
    public double MeanOfFirst(int count) => Losses.Take(Math.Max(1, count)).Average();

    /// <summary>Mean loss of the last <paramref name="count"/> steps (all when fewer).</summary>
    /// <param name="count">Steps averaged.</param>
    public double MeanOfLast(int count) => Losses.Skip(Math.Max(0, Losses.Count - Math.Max(1, count))).Average();

    /// <summary>The validation checks, in order (empty without validation).</summary>
    public IReadOnlyList<ValidationCheck> Validation { get; init; } = [];

    /// <summary>The best validation check (whose weights were kept when restoring the best), or null without validation.</summary>
    public ValidationCheck? Best => Validation.Where(v => v.IsBest).LastOrDefault();

    /// <summary>Whether training stopped before its last planned step because the validation score stopped improving.</summary>
    public bool StoppedEarly { get; init; }
}
