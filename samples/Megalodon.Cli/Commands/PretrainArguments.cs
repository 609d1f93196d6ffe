using Megalodon.ML.Training;

namespace Megalodon.Cli.Commands;

/// <summary>
/// The options of <c>megalodon pretrain</c> as typed, each null when not given (defaults are applied later); the names are
/// those of <see cref="PretrainCommand"/>'s options.
/// </summary>
internal sealed record PretrainArguments
{
    public const string Data = "--data";
    public const string SplitLines = "--split-lines";
    public const string Preset = "--preset";
    public const string Config = "--config";
    public const string Tokenizer = "--tokenizer";
    public const string SeqLen = "--seq-len";
    public const string Batch = "--batch";
    public const string Steps = "--steps";
    public const string Tokens = "--tokens";
    public const string Lr = "--lr";
    public const string Warmup = "--warmup";
    public const string Decay = "--decay";
    public const string ValidFraction = "--valid-fraction";
    public const string EvalInterval = "--eval-interval";
    public const string Checkpoints = "--checkpoints";
    public const string CheckpointInterval = "--checkpoint-interval";
    public const string Resume = "--resume";
    public const string Seed = "--seed";
    public const string Device = "--device";
    public const string Threads = "--threads";
    public const string Out = "--out";
    public const string SamplePrompt = "--sample-prompt";
    public const string SampleTokens = "--sample-tokens";

    /// <summary>Where the model goes when <c>--out</c> is not given, relative to the current folder.</summary>
    public static readonly string DefaultOutput = Path.Combine("runs", "pretrain", "model.zip");

    /// <summary>Files and folders to read; empty means the main job (embedded synthetic corpus).</summary>
    public IReadOnlyList<string> DataPaths { get; init; } = [];
    public bool SplitLinesIntoDocuments { get; init; }
    public string? PresetName { get; init; }
    public string? ConfigPath { get; init; }
    /// <summary>byte or gpt2.</summary>
    public string? TokenizerName { get; init; }
    public int? SequenceLength { get; init; }
    public int? BatchSize { get; init; }
    public long? MaxSteps { get; init; }
    public long? TokenBudget { get; init; }
    public double? LearningRate { get; init; }
    public int? WarmupSteps { get; init; }
    public ReferenceDecay? DecayShape { get; init; }
    public double? ValidationFraction { get; init; }
    public int? EvalIntervalSteps { get; init; }
    public string? CheckpointFolder { get; init; }
    public int? CheckpointIntervalSteps { get; init; }
    public bool ResumeFromCheckpoint { get; init; }
    public int? RandomSeed { get; init; }
    public string DeviceName { get; init; } = "cpu";
    public int? ThreadCount { get; init; }
    public string OutputPath { get; init; } = DefaultOutput;
    public string? Prompt { get; init; }
    public int? PromptTokens { get; init; }

    /// <summary>Whether this run trains on the embedded synthetic corpus.</summary>
    public bool IsMainJob => DataPaths.Count == 0;
}
