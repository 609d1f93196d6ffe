namespace Megalodon.ML.Training;

/// <summary>Settings of a <see cref="LanguageModelTrainer"/> run.</summary>
public sealed record LanguageModelTrainerOptions
{
    /// <summary>Windows per micro-batch (also the validation batch size).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Sequence length <c>L</c>; the data sources must serve windows of <c>L + 1</c> tokens.</summary>
    public int SequenceLength { get; init; } = 512;

    /// <summary>Micro-batches per optimizer step; the step's loss is the token-weighted mean over all of them.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Optimizer steps to train; give this or <see cref="TokenBudget"/>.</summary>
    public long? TotalSteps { get; init; }

    /// <summary>Input tokens to train on, rounded up to whole steps of <c>B·A·L</c> tokens; give this or <see cref="TotalSteps"/>.</summary>
    public long? TokenBudget { get; init; }

    /// <summary>The learning rate of every step.</summary>
    public required LearningRateSchedule Schedule { get; init; }

    /// <summary>AdamW hyper-parameters and gradient clipping (the reference defaults).</summary>
    public AdamWSettings Optimizer { get; init; } = AdamWSettings.Reference;

    /// <summary>Validate every this many steps (0: only at the end, when there is a validation source).</summary>
    public int EvalInterval { get; init; }

    /// <summary>Batches of the validation source measured each time (the same windows every time).</summary>
    public int ValidationBatches { get; init; } = 8;

    /// <summary>Folder of a <see cref="FolderCheckpointStore"/>; ignored when the trainer is given a store.</summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>Save a checkpoint every this many steps (0: only at the end and on cancellation).</summary>
    public int CheckpointInterval { get; init; }

    /// <summary>
    /// Extra steps to checkpoint at besides every <see cref="CheckpointInterval"/> (e.g. log-spaced steps for later
    /// probing); 0 saves the initial weights of a fresh run. Null for none.
    /// </summary>
    public IReadOnlyCollection<long>? CheckpointSteps { get; init; }

    /// <summary>How many checkpoints to keep, the newest; null keeps all (later analyses read them).</summary>
    public int? KeepCheckpoints { get; init; }

    /// <summary>Save a checkpoint when the run finishes.</summary>
    public bool CheckpointAtEnd { get; init; } = true;

    /// <summary>Save a checkpoint when the run is cancelled (at the last completed step).</summary>
    public bool CheckpointOnCancel { get; init; } = true;

    /// <summary>Seeds the default torch generator at the start of a fresh run (dropout); on CUDA each step also re-seeds from (seed, step).</summary>
    public long Seed { get; init; }

    /// <summary>What to do when a loss or gradient norm is NaN or infinite.</summary>
    public NonFiniteLossPolicy NonFiniteLoss { get; init; } = NonFiniteLossPolicy.Stop;

    /// <summary>A token id whose target positions are ignored in the loss (padding); negative ids are always ignored.</summary>
    public int? PaddingTokenId { get; init; }

    /// <summary>Input tokens per optimizer step, <c>B·A·L</c>.</summary>
    public long TokensPerStep => (long)BatchSize * GradientAccumulationSteps * SequenceLength;

    /// <summary>The number of optimizer steps of the run.</summary>
    public long ResolveTotalSteps()
    {
        if (TotalSteps is { } steps)
            return steps;
        var budget = TokenBudget ?? throw new InvalidOperationException($"Set {nameof(TotalSteps)} or {nameof(TokenBudget)}.");
        return StepsForTokenBudget(budget, BatchSize, SequenceLength, GradientAccumulationSteps);
    }

    /// <summary>
    /// Optimizer steps that cover <paramref name="tokenBudget"/> input tokens, rounded up: use it to size a schedule
    /// before the options exist.
    /// </summary>
    /// <param name="tokenBudget">Input tokens to train on.</param>
    /// <param name="batchSize">Windows per micro-batch.</param>
    /// <param name="sequenceLength">Sequence length <c>L</c>.</param>
    /// <param name="gradientAccumulationSteps">Micro-batches per step.</param>
    public static long StepsForTokenBudget(long tokenBudget, int batchSize, int sequenceLength, int gradientAccumulationSteps = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokenBudget);
        var perStep = (long)batchSize * sequenceLength * gradientAccumulationSteps;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perStep, nameof(batchSize));
        return (tokenBudget + perStep - 1) / perStep;
    }

    /// <summary>Throws when a setting is out of range or inconsistent.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SequenceLength, nameof(SequenceLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(GradientAccumulationSteps, nameof(GradientAccumulationSteps));
        if (TotalSteps.HasValue == TokenBudget.HasValue)
            throw new ArgumentException($"Set exactly one of {nameof(TotalSteps)} and {nameof(TokenBudget)}.");
        if (TotalSteps is { } s) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, nameof(TotalSteps));
        if (TokenBudget is { } b) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(b, nameof(TokenBudget));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(EvalInterval, nameof(EvalInterval));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ValidationBatches, nameof(ValidationBatches));
        ArgumentOutOfRangeException.ThrowIfNegative(CheckpointInterval, nameof(CheckpointInterval));
        if (CheckpointSteps is not null && CheckpointSteps.Any(s => s < 0))
            throw new ArgumentOutOfRangeException(nameof(CheckpointSteps), string.Join(", ", CheckpointSteps), "Checkpoint steps must be non-negative.");
        if (KeepCheckpoints is { } k) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k, nameof(KeepCheckpoints));
        if (!Enum.IsDefined(NonFiniteLoss))
            throw new ArgumentOutOfRangeException(nameof(NonFiniteLoss), NonFiniteLoss, "Unknown policy.");
    }
}
