using Megalodon.ML.Encoder;
using Megalodon.ML.Model;

namespace Megalodon.Bench;

/// <summary>Sizes and budgets of the NuNER experiment (one torch thread).</summary>
internal sealed record NunerBudget
{
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

    /// <summary>The reported run: about 40 minutes on one thread of the project's 2-core machine.</summary>
    public static NunerBudget Full { get; } = new()
    {
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
}
