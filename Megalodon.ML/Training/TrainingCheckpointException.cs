namespace Megalodon.ML.Training;

/// <summary>A training checkpoint is missing, incomplete or damaged (for example a checksum mismatch).</summary>
public sealed class TrainingCheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The checkpoint's step.</param>
    /// <param name="location">Where it was looked for.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public TrainingCheckpointException(long step, string location, string message, Exception? inner = null)
        : base($"Training checkpoint of step {step} at '{location}': {message}", inner)
    {
        Step = step;
        Location = location;
    }

    /// <summary>The checkpoint's step.</summary>
    public long Step { get; }

    /// <summary>Where it was looked for.</summary>
    public string Location { get; }
}
