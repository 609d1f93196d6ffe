using System.Text;
using Megalodon.ML.Encoder;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Text;

namespace Megalodon.ML.Transforms.EncoderPretraining;

/// <summary>What both encoder pretraining estimators are told: budget, optimizer schedule, checkpoints, seed and progress.</summary>
public abstract class EncoderPretrainingOptions
{
    /// <summary>The embedding column the fitted transformer adds.</summary>
    public string FeaturesColumnName = "Features";
    /// <summary>Optimizer steps; give this or <see cref="TokenBudget"/>.</summary>
    public int? MaxSteps;
    /// <summary>Input tokens (UTF-8 bytes) to train on, rounded up to whole steps; used when <see cref="MaxSteps"/> is null.</summary>
    public long? TokenBudget;
    /// <summary>Texts (or text pieces) per step.</summary>
    public int BatchSize = 16;
    /// <summary>Longest input in tokens, in training and, unless <see cref="TextInput"/> sets its own cap, in the fitted transformer's embeddings.</summary>
    public int MaxTokens = 256;
    /// <summary>
    /// How the fitted transformer reads its text column: an empty, whitespace-only or missing text is an error naming
    /// the data row (the default) or gets a NaN embedding; the token cap (<see cref="MaxTokens"/> when the policy's
    /// own is null) and which end of a longer text is kept. Saved with the model.
    /// </summary>
    public TextInputPolicy? TextInput;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate = 1e-3;
    /// <summary>Share of the steps spent warming up.</summary>
    public double WarmupFraction = 0.1;
    /// <summary>Decay after warm-up.</summary>
    public ReferenceDecay LearningRateDecay = ReferenceDecay.Cosine;
    /// <summary>Folder for checkpoints (weights of every trained module, optimizer, step); null for none.</summary>
    public string? CheckpointFolder;
    /// <summary>Checkpoint every this many steps (and at the end).</summary>
    public int CheckpointInterval = 100;
    /// <summary>Continue from the latest checkpoint in <see cref="CheckpointFolder"/> (the same data and options give the same data order).</summary>
    public bool ResumeFromCheckpoint;
    /// <summary>Seed of the initialisation and data order; null draws one from the MLContext.</summary>
    public int? Seed;
    /// <summary>Intra-op threads; null leaves the current setting.</summary>
    public int? Threads;
    /// <summary>Receives progress after every step.</summary>
    public IProgress<TrainingProgress>? Progress;
    /// <summary>Stops training between steps (the last checkpoint stays).</summary>
    public CancellationToken CancellationToken;

    /// <summary>Throws when the budget or the checkpoint settings are missing or out of range.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(FeaturesColumnName)) throw new ArgumentException("The features column needs a name.", nameof(FeaturesColumnName));
        if (MaxSteps is null && TokenBudget is null) throw new ArgumentException("Give MaxSteps or TokenBudget: how long to pretrain.");
        if (MaxSteps is <= 0 || TokenBudget is <= 0) throw new ArgumentOutOfRangeException(nameof(MaxSteps), "MaxSteps and TokenBudget must be positive.");
        if (ResumeFromCheckpoint && CheckpointFolder is null) throw new ArgumentException("ResumeFromCheckpoint needs a CheckpointFolder.");
        if (MaxTokens <= 0) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must be positive.");
        TextInput?.Validate();
    }

    /// <summary>The fitted transformer's text policy: <see cref="TextInput"/>, with <see cref="MaxTokens"/> as its cap when it sets none.</summary>
    internal TextInputPolicy TextInputPolicy() => (TextInput ?? new TextInputPolicy()) is var policy && policy.MaxTokens is null
        ? policy with { MaxTokens = MaxTokens }
        : policy;

    /// <summary>The step count: <see cref="MaxSteps"/>, or the steps that cover <see cref="TokenBudget"/> for these texts.</summary>
    internal int Steps(IEnumerable<string> texts) => MaxSteps ?? (int)Math.Clamp(
        Math.Ceiling(TokenBudget!.Value / Math.Max(1.0, BatchSize * texts.Select(t => (double)Math.Min(Encoding.UTF8.GetByteCount(t), MaxTokens)).DefaultIfEmpty(1).Average())),
        1, int.MaxValue);

    /// <summary>The trainer settings for <paramref name="steps"/> steps.</summary>
    internal EncoderTrainingSettings Settings(int steps, int seed) => new()
    {
        Steps = steps, BatchSize = BatchSize, LearningRate = LearningRate, WarmupSteps = (int)(steps * WarmupFraction),
        Decay = LearningRateDecay, Seed = seed, MaxTokens = MaxTokens,
    };

    /// <summary>The checkpoint settings, or null without a folder.</summary>
    internal EncoderCheckpointSettings? Checkpoints() =>
        CheckpointFolder is { } folder ? new EncoderCheckpointSettings { Folder = folder, Interval = CheckpointInterval, Resume = ResumeFromCheckpoint } : null;
}
