using Megalodon.ML.Training;

namespace Megalodon.ML.Encoder;

/// <summary>Optimisation budget and hyper-parameters shared by the encoder's trainers (MLM, concept-contrastive, NER fine-tuning).</summary>
public sealed record EncoderTrainingSettings
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Sentences (or text pieces) per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate of AdamW (linear warm-up, then <see cref="Decay"/> to <see cref="EndLearningRateRatio"/> of it).</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Linear warm-up steps; capped below <see cref="Steps"/>.</summary>
    public int WarmupSteps { get; init; } = 50;

    /// <summary>Decay of the learning rate after warm-up, down to <see cref="EndLearningRateRatio"/> of the peak at the last step.</summary>
    public ReferenceDecay Decay { get; init; } = ReferenceDecay.Cosine;

    /// <summary>The last step's learning rate as a share of the peak (ignored by a constant schedule).</summary>
    public double EndLearningRateRatio { get; init; } = 0.1;

    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global L2 gradient clip; 0 disables it.</summary>
    public double GradientClipNorm { get; init; } = 1.0;

    /// <summary>Seed of the data order, masking and initialisation of new heads.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Longest input in tokens; longer texts are cut (MLM) or truncated (tagging).</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public EncoderTrainingSettings Validate()
    {
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be positive.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be positive.");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "Warm-up steps must not be negative.");
        if (!(EndLearningRateRatio is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(EndLearningRateRatio), EndLearningRateRatio, "The end learning-rate ratio must be in (0, 1].");
        if (!Enum.IsDefined(Decay)) throw new ArgumentOutOfRangeException(nameof(Decay), Decay, "Unknown decay.");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must not be negative.");
        if (!(GradientClipNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "The clip norm must not be negative.");
        if (MaxTokens < 8) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "At least 8 tokens per input.");
        return this;
    }
}
