namespace Megalodon.ML.Training;

/// <summary>Thrown under <see cref="NonFiniteLossPolicy.Stop"/> when a training step's loss or gradient norm is not finite.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The step that failed (1-based: the step that would have completed).</param>
    /// <param name="quantity">What was not finite ("loss" or "gradient norm").</param>
    /// <param name="value">The value seen.</param>
    public NonFiniteLossException(long step, string quantity, double value)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Training stopped: the {quantity} of step {step} is {value}. The weights are those after step {step - 1}; resume from a checkpoint with a lower learning rate, or use {nameof(NonFiniteLossPolicy)}.{nameof(NonFiniteLossPolicy.SkipStep)}."))
    {
        Step = step;
        Quantity = quantity;
        Value = value;
    }

    /// <summary>The step that failed (1-based).</summary>
    public long Step { get; }

    /// <summary>What was not finite ("loss" or "gradient norm").</summary>
    public string Quantity { get; }

    /// <summary>The value seen.</summary>
    public double Value { get; }
}
