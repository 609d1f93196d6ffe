using System.Text.Json;
using System.Text.Json.Serialization;

namespace Megalodon.ML.Training;

/// <summary>
/// Everything about a run besides its tensors: the step (and thus the schedule position), the data position, the RNG
/// state, counters and the metrics so far. Stored as JSON next to the tensors of a checkpoint.
/// </summary>
public sealed record TrainerState
{
    /// <summary>The layout version of this record.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Optimizer steps completed; the next update uses the schedule's value at this step.</summary>
    public long Step { get; init; }

    /// <summary>Steps planned for the run when the checkpoint was written.</summary>
    public long TotalSteps { get; init; }

    /// <summary>Input tokens processed since the start of training.</summary>
    public long TokensSeen { get; init; }

    /// <summary>Steps whose update was skipped for a non-finite value.</summary>
    public long SkippedSteps { get; init; }

    /// <summary>Training wall time so far, in seconds (across resumes).</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The run's seed.</summary>
    public long Seed { get; init; }

    /// <summary>Where the training data continues (the next window to read).</summary>
    public required TokenSourcePosition DataPosition { get; init; }

    /// <summary>Where this run's training data started, so the windows it saw can be replayed later.</summary>
    public required TokenSourcePosition DataStartPosition { get; init; }

    /// <summary>Windows per epoch of the training source, to check a resume uses the same data.</summary>
    public long WindowsPerEpoch { get; init; }

    /// <summary>The training data's identity and the window order read so far (null in checkpoints of older versions).</summary>
    public TrainingDataRecord? DataRecord { get; init; }

    /// <summary>The CPU default generator's state (<c>torch.get_rng_state()</c>), null when not captured.</summary>
    public byte[]? CpuRngState { get; init; }

    /// <summary>Windows per micro-batch.</summary>
    public int BatchSize { get; init; }

    /// <summary>Sequence length <c>L</c>.</summary>
    public int SequenceLength { get; init; }

    /// <summary>Micro-batches per optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; }

    /// <summary>The schedule's description (for the record; the schedule itself comes from the options).</summary>
    public string Schedule { get; init; } = "";

    /// <summary>Every step so far.</summary>
    public IReadOnlyList<StepRecord> Steps { get; init; } = Array.Empty<StepRecord>();

    /// <summary>Every validation so far.</summary>
    public IReadOnlyList<ValidationResult> Validations { get; init; } = Array.Empty<ValidationResult>();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Skipped steps record NaN losses.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses <see cref="ToJson"/>'s output.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text is not a trainer state.</exception>
    public static TrainerState FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new InvalidDataException("The trainer state is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The trainer state is not valid: {ex.Message}", ex);
        }
    }
}
