using Megalodon.ML.Model;
using Megalodon.ML.Training;

namespace Megalodon.Cli.Pretraining;

/// <summary>
/// The values <c>megalodon pretrain</c> uses for options that are not given: one set for the main job (the embedded
/// synthetic corpus, from <see cref="MainJobDefaults"/>) and one for the user's own text.
/// </summary>
internal sealed record PretrainDefaults
{
    /// <summary>The main job's defaults, all taken from <see cref="MainJobDefaults"/>.</summary>
    public static PretrainDefaults MainJob { get; } = new()
    {
        Config = MainJobDefaults.Config,
        SequenceLength = MainJobDefaults.SequenceLength,
        BatchSize = MainJobDefaults.BatchSize,
        Steps = MainJobDefaults.Steps,
        LearningRate = MainJobDefaults.LearningRate,
        WarmupSteps = MainJobDefaults.WarmupSteps,
        Decay = MainJobDefaults.Decay,
        ValidationFraction = MainJobDefaults.ValidationFraction,
        EvalInterval = MainJobDefaults.EvalInterval,
        Seed = MainJobDefaults.Seed,
        SamplePrompt = MainJobDefaults.SamplePrompt,
        SampleTokens = MainJobDefaults.SampleTokens,
    };

    /// <summary>Defaults for <c>--data</c>: the tiny preset and the reference's optimizer settings.</summary>
    public static PretrainDefaults UserData { get; } = new()
    {
        Preset = "tiny",
        SequenceLength = 512,
        BatchSize = 8,
        Steps = 1000,
        LearningRate = 1e-3,
        Decay = ReferenceDecay.Linear,
        ValidationFraction = 0.05,
        EvalInterval = 100,
        Seed = 1,
        SamplePrompt = "The ",
        SampleTokens = 200,
    };

    /// <summary>An explicit model shape, sized for the byte-level tokenizer; null uses <see cref="Preset"/>.</summary>
    public MegalodonConfig? Config { get; init; }
    /// <summary>The preset used when neither <see cref="Config"/> nor an option names a shape.</summary>
    public string Preset { get; init; } = "tiny";
    /// <summary>Tokens per training window.</summary>
    public int SequenceLength { get; init; }
    /// <summary>Windows per step.</summary>
    public int BatchSize { get; init; }
    /// <summary>Optimizer steps.</summary>
    public long Steps { get; init; }
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; }
    /// <summary>Warm-up steps, used only with the default step count; null lets the estimator pick 10% of the steps.</summary>
    public int? WarmupSteps { get; init; }
    /// <summary>Decay after warm-up.</summary>
    public ReferenceDecay Decay { get; init; }
    /// <summary>Share of documents held out.</summary>
    public double ValidationFraction { get; init; }
    /// <summary>Validation interval in steps.</summary>
    public int EvalInterval { get; init; }
    /// <summary>Seed of initialisation, data order and the sample.</summary>
    public int Seed { get; init; }
    /// <summary>Prompt of the generated sample.</summary>
    public string SamplePrompt { get; init; } = "";
    /// <summary>Tokens generated for the sample.</summary>
    public int SampleTokens { get; init; }
}
