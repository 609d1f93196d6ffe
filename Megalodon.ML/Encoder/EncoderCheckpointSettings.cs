namespace Megalodon.ML.Encoder;

/// <summary>
/// Checkpoints of an encoder pretraining run (MLM or concept-contrastive): the weights of every trained module, the
/// AdamW state, the step and the losses so far, written every <see cref="Interval"/> steps and at the end; with
/// <see cref="Resume"/>, a run continues from the latest checkpoint of <see cref="Folder"/> with the same data order.
/// </summary>
public sealed record EncoderCheckpointSettings
{
    /// <summary>The folder of the run's checkpoints (created when missing).</summary>
    public required string Folder { get; init; }

    /// <summary>Steps between checkpoints (the last step is always written).</summary>
    public int Interval { get; init; } = 100;

    /// <summary>Continue from the latest checkpoint in <see cref="Folder"/>; with none there, start fresh.</summary>
    public bool Resume { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentException">An empty folder or an interval below 1.</exception>
    public EncoderCheckpointSettings Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Folder);
        if (Interval < 1) throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "The checkpoint interval must be at least 1.");
        return this;
    }
}
