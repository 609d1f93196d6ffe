using Megalodon.ML.Encoder;
using Megalodon.ML.Model;

namespace Megalodon.Bench;

/// <summary>Sizes and budgets of the NuNER experiment: full and quick for one CPU thread, gpu for one GPU.</summary>
internal sealed record NunerBudget
{
    /// <summary>The budget's name (full, quick, gpu).</summary>
    public required string Name { get; init; }
    /// <summary>The encoder's shape per direction.</summary>
    public required MegalodonConfig Config { get; init; }
    /// <summary>MLM pretraining steps (batch <see cref="MlmBatch"/> pieces of at most <see cref="MlmPieceTokens"/> bytes).</summary>
    public required int MlmSteps { get; init; }
    /// <summary>MLM pieces per step.</summary>
    public int MlmBatch { get; init; } = 16;
    /// <summary>Longest MLM piece in tokens.</summary>
    public int MlmPieceTokens { get; init; } = 256;
    /// <summary>MLM peak learning rate.</summary>
    public double MlmLearningRate { get; init; } = 2e-3;
    /// <summary>Steps of the second stage: concept-contrastive, or continued MLM on the same sentences for the baseline.</summary>
    public required int ConceptSteps { get; init; }
    /// <summary>Sentences per concept step.</summary>
    public int ConceptBatch { get; init; } = 16;
    /// <summary>Weight of the positive (token, concept) pairs in the concept loss (1: the paper's plain mean).</summary>
    public double PositiveWeight { get; init; } = 1.0;
    /// <summary>Peak learning rate of the second stage.</summary>
    public double ConceptLearningRate { get; init; } = 1e-3;
    /// <summary>Few-shot fine-tuning: passes over the sample, turned into steps and clamped to [<see cref="FewShotMinSteps"/>, <see cref="FewShotMaxSteps"/>].</summary>
    public int FewShotEpochs { get; init; } = 20;
    /// <summary>Fewest fine-tuning steps.</summary>
    public required int FewShotMinSteps { get; init; }
    /// <summary>Most fine-tuning steps.</summary>
    public required int FewShotMaxSteps { get; init; }
    /// <summary>Sentences per fine-tuning step.</summary>
    public int FineTuneBatch { get; init; } = 8;
    /// <summary>Peak fine-tuning learning rate (encoder and head).</summary>
    public double FineTuneLearningRate { get; init; } = 2e-3;
    /// <summary>Full-data WNUT-17 fine-tuning steps.</summary>
    public required int WnutSteps { get; init; }
    /// <summary>Sentences per WNUT step.</summary>
    public int WnutBatch { get; init; } = 16;
    /// <summary>k, mentions per entity type, of the few-shot samples.</summary>
    public int[] Shots { get; init; } = [4, 16, 64];
    /// <summary>Sampling (and fine-tuning) seeds per k.</summary>
    public int[] Seeds { get; init; } = [1, 2, 3];
    /// <summary>Longest tagged sentence in tokens.</summary>
    public int MaxTokens { get; init; } = 512;
    /// <summary>Use at most this many MLM text lines from wikitext-2 (all when null).</summary>
    public int? WikitextLines { get; init; }

    /// <summary>The reported CPU run: about 40 minutes on one thread of the project's 2-core machine.</summary>
    public static NunerBudget Full { get; } = new()
    {
        Name = "full",
        Config = EncoderPresets.Small(),
        MlmSteps = 600,
        ConceptSteps = 300,
        PositiveWeight = 20,
        FewShotEpochs = 15,
        FewShotMinSteps = 30,
        FewShotMaxSteps = 80,
        WnutSteps = 250,
    };

    /// <summary>A smoke run of a few minutes: every stage, tiny budgets.</summary>
    public static NunerBudget Quick { get; } = new()
    {
        Name = "quick",
        Config = EncoderPresets.Tiny(),
        MlmSteps = 40,
        ConceptSteps = 30,
        FewShotMinSteps = 10,
        FewShotMaxSteps = 20,
        WnutSteps = 20,
        Shots = [4, 16],
        Seeds = [1, 2],
        WikitextLines = 500,
    };

    /// <summary>
    /// The reported GPU run (docs/nuner.md), 250 s on an H200: a 7.2M-parameter encoder (<see cref="EncoderPresets.Base"/>,
    /// 13 times the CPU run's), 300 MLM steps of 64 pieces (3.4M tokens), 300 steps of 32 sentences in each second-stage
    /// arm (twice the CPU run's sentences), few-shot fine-tuning of 15 epochs in [30, 40] steps at half the CPU run's
    /// learning rate, and 100 WNUT-17 steps of 32 sentences (0.9 epochs). <c>--mlm-steps</c>, <c>--concept-steps</c>,
    /// <c>--wnut-steps</c>, <c>--fewshot-max-steps</c> and <c>--fit-seconds</c> change the steps without a rebuild.
    /// </summary>
    public static NunerBudget Gpu { get; } = new()
    {
        Name = "gpu",
        Config = EncoderPresets.Base(),
        MlmSteps = 300,
        MlmBatch = 64,
        MlmLearningRate = 1e-3,
        ConceptSteps = 300,
        ConceptBatch = 32,
        PositiveWeight = 20,
        ConceptLearningRate = 1e-3,
        FewShotEpochs = 15,
        FewShotMinSteps = 30,
        FewShotMaxSteps = 40,
        FineTuneLearningRate = 1e-3,
        WnutSteps = 100,
        WnutBatch = 32,
    };

    /// <summary>The budget named <paramref name="name"/> (full, quick or gpu).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static NunerBudget ByName(string name) => name switch
    {
        "full" => Full,
        "quick" => Quick,
        "gpu" => Gpu,
        _ => throw new ArgumentException($"Unknown NuNER budget '{name}' (full, quick or gpu)."),
    };

    /// <summary>This budget with the step counts given on the command line (0: keep the budget's).</summary>
    public NunerBudget WithOverrides(BenchOptions options) => this with
    {
        MlmSteps = options.MlmSteps > 0 ? options.MlmSteps : MlmSteps,
        ConceptSteps = options.ConceptSteps > 0 ? options.ConceptSteps : ConceptSteps,
        WnutSteps = options.WnutSteps > 0 ? options.WnutSteps : WnutSteps,
        FewShotMaxSteps = options.FewShotMaxSteps > 0 ? options.FewShotMaxSteps : FewShotMaxSteps,
        FewShotMinSteps = options.FewShotMaxSteps > 0 ? Math.Min(FewShotMinSteps, options.FewShotMaxSteps) : FewShotMinSteps,
    };

    /// <summary>Few-shot fine-tuning steps for a sample of <paramref name="sentences"/> sentences.</summary>
    public int FewShotSteps(int sentences) =>
        Math.Clamp((int)Math.Ceiling((double)FewShotEpochs * sentences / FineTuneBatch), FewShotMinSteps, FewShotMaxSteps);

    /// <summary>One line for the log: every size and step count.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"budget {Name}: encoder {Config.NumLayers} layers D={Config.ModelDim} Z={Config.ZDim} E={Config.ValueDim} FFN {Config.FfnHiddenDim} chunk {Config.ChunkSize}; " +
        $"MLM {MlmSteps} x {MlmBatch} pieces <= {MlmPieceTokens} tokens, lr {MlmLearningRate}; second stage {ConceptSteps} x {ConceptBatch} sentences, lr {ConceptLearningRate}, positive weight {PositiveWeight}; " +
        $"few-shot k={string.Join(",", Shots)} seeds {string.Join(",", Seeds)}, {FewShotEpochs} epochs in [{FewShotMinSteps}, {FewShotMaxSteps}] steps x {FineTuneBatch}, lr {FineTuneLearningRate}; " +
        $"WNUT-17 {WnutSteps} x {WnutBatch}");
}
