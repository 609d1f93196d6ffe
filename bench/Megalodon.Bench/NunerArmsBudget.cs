using Megalodon.ML.Encoder;
using Megalodon.ML.Model;

namespace Megalodon.Bench;

/// <summary>Sizes of the issue-18 experiment (mode <c>nuner-arms</c>, docs/nuner.md): cpu (about 3 hours of one thread), quick (a smoke run) and gpu.</summary>
internal sealed record NunerArmsBudget
{
    /// <summary>The budget's name.</summary>
    public required string Name { get; init; }
    /// <summary>The encoder's shape per direction (every arm and the untrained control).</summary>
    public required MegalodonConfig Config { get; init; }
    /// <summary>MLM steps of the shared first stage.</summary>
    public required int MlmSteps { get; init; }
    /// <summary>MLM pieces per step.</summary>
    public int MlmBatch { get; init; } = 16;
    /// <summary>Longest MLM piece in tokens.</summary>
    public int MlmPieceTokens { get; init; } = 256;
    /// <summary>MLM peak learning rate.</summary>
    public double MlmLearningRate { get; init; } = 2e-3;
    /// <summary>Steps of every second-stage arm (MLM-only, NER-BERT-style, concept and its ablations).</summary>
    public required int ArmSteps { get; init; }
    /// <summary>Corpus sentences per second-stage step.</summary>
    public int ArmBatch { get; init; } = 16;
    /// <summary>Peak learning rate of the second stage.</summary>
    public double ArmLearningRate { get; init; } = 1e-3;
    /// <summary>Pretraining steps between checkpoints.</summary>
    public int CheckpointInterval { get; init; } = 50;
    /// <summary>k, mentions per type, of the few-shot samples.</summary>
    public int[] Shots { get; init; } = [1, 4, 16, 64];
    /// <summary>Sampling and fine-tuning seeds.</summary>
    public int[] Seeds { get; init; } = [1, 2, 3, 4, 5];
    /// <summary>Sentences per fine-tuning step.</summary>
    public int FineTuneBatch { get; init; } = 8;
    /// <summary>Peak fine-tuning learning rate.</summary>
    public double FineTuneLearningRate { get; init; } = 2e-3;
    /// <summary>Most fine-tuning steps (early stopping usually ends a run sooner).</summary>
    public required int FineTuneMaxSteps { get; init; }
    /// <summary>Dev checks without a better score that stop fine-tuning.</summary>
    public int Patience { get; init; } = 5;
    /// <summary>Fewest steps between two dev checks (a check is once per epoch otherwise).</summary>
    public int MinCheckSteps { get; init; } = 10;
    /// <summary>Sentences of the target's dev split (drawn once, never sampled for training).</summary>
    public int DevSentences { get; init; } = 100;
    /// <summary>Score only the first this many test sentences (all when null; the smoke run only).</summary>
    public int? TestSentences { get; init; }
    /// <summary>Use at most this many wikitext-2 lines as MLM text (all when null).</summary>
    public int? WikitextLines { get; init; }
    /// <summary>Longest input in tokens.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>The CPU run: the 0.57M-parameter encoder of the earlier CPU run, about 3 hours of one thread.</summary>
    public static NunerArmsBudget Cpu { get; } = new()
    {
        Name = "cpu",
        Config = EncoderPresets.Small(),
        MlmSteps = 600,
        ArmSteps = 300,
        FineTuneMaxSteps = 300,
    };

    /// <summary>A smoke run of a few minutes through every arm and step.</summary>
    public static NunerArmsBudget Quick { get; } = new()
    {
        Name = "quick",
        Config = EncoderPresets.Tiny(),
        MlmSteps = 12,
        ArmSteps = 8,
        CheckpointInterval = 4,
        Shots = [1, 4],
        Seeds = [1, 2],
        FineTuneMaxSteps = 8,
        Patience = 2,
        MinCheckSteps = 3,
        DevSentences = 20,
        TestSentences = 40,
        WikitextLines = 200,
    };

    /// <summary>The same design at the 7.2M-parameter encoder of the earlier GPU run.</summary>
    public static NunerArmsBudget Gpu { get; } = new()
    {
        Name = "gpu",
        Config = EncoderPresets.Base(),
        MlmSteps = 300,
        MlmBatch = 64,
        MlmLearningRate = 1e-3,
        ArmSteps = 300,
        ArmBatch = 32,
        FineTuneLearningRate = 1e-3,
        FineTuneMaxSteps = 300,
    };

    /// <summary>The budget of <c>--budget</c> (full is taken as cpu), with the step options of the command line.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static NunerArmsBudget For(BenchOptions options)
    {
        var budget = options.Budget switch
        {
            "cpu" or "full" => Cpu,
            "quick" => Quick,
            "gpu" => Gpu,
            _ => throw new ArgumentException($"Unknown nuner-arms budget '{options.Budget}' (cpu, quick or gpu)."),
        };
        return budget with
        {
            MlmSteps = options.MlmSteps > 0 ? options.MlmSteps : budget.MlmSteps,
            ArmSteps = options.ConceptSteps > 0 ? options.ConceptSteps : budget.ArmSteps,
            FineTuneMaxSteps = options.FewShotMaxSteps > 0 ? options.FewShotMaxSteps : budget.FineTuneMaxSteps,
        };
    }

    /// <summary>One line for the log.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"budget {Name}: encoder {Config.NumLayers} layers D={Config.ModelDim} chunk {Config.ChunkSize}; MLM {MlmSteps} x {MlmBatch} pieces <= {MlmPieceTokens}, lr {MlmLearningRate}; ") +
        FormattableString.Invariant($"each arm {ArmSteps} x {ArmBatch} sentences, lr {ArmLearningRate}, checkpoints every {CheckpointInterval}; few-shot k={string.Join(",", Shots)} seeds {string.Join(",", Seeds)}, ") +
        FormattableString.Invariant($"batch {FineTuneBatch}, lr {FineTuneLearningRate}, at most {FineTuneMaxSteps} steps, dev check every epoch (>= {MinCheckSteps} steps), patience {Patience}, dev {DevSentences} sentences") +
        (TestSentences is { } t ? FormattableString.Invariant($", test cut to {t} sentences") : "");
}
