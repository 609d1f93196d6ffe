namespace Megalodon.ML.Training;

/// <summary>
/// A learning-rate schedule: a pure function from the 0-based optimizer step to the learning rate used for that step's
/// update. Being pure (no internal counter) is what makes resume exact: the trainer only needs to save the step.
/// </summary>
/// <remarks>
/// Step <c>k</c> is the <c>k</c>-th optimizer update, counted from 0, the same convention as PyTorch's <c>LambdaLR</c>
/// (its first update uses the multiplier at step 0).
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the update at <paramref name="step"/> (0-based).</summary>
    /// <param name="step">The optimizer step, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double LearningRate(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Evaluate(step);
    }

    /// <summary>The learning rate at a step already checked to be non-negative.</summary>
    /// <param name="step">The optimizer step, 0 or more.</param>
    protected abstract double Evaluate(long step);

    /// <summary>A one-line description with every parameter, recorded in checkpoints and logs.</summary>
    public abstract override string ToString();

    /// <summary>Linear interpolation from <paramref name="from"/> to <paramref name="to"/> at fraction <paramref name="t"/>.</summary>
    internal static double Lerp(double from, double to, double t) => from + (to - from) * t;

    /// <summary>Fraction of the way from <paramref name="start"/> to <paramref name="end"/>, as a double.</summary>
    internal static double Fraction(long step, long start, long end) => (double)(step - start) / (end - start);

    /// <summary>Throws unless <paramref name="value"/> is finite and non-negative.</summary>
    internal static void CheckRate(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, "A learning rate must be finite and non-negative.");
    }
}
