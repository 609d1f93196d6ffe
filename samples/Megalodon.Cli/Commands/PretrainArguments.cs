using Megalodon.ML.Training;

namespace Megalodon.Cli.Commands;

/// <summary>The options of <c>megalodon pretrain</c> as typed, each null when not given (defaults are applied later).</summary>
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

    /// <summary>Parses the verb's arguments. Positional arguments are more data paths, so <c>--data *.txt</c> works.</summary>
    /// <exception cref="UsageException">An option is unknown, malformed, out of range, or conflicts with another.</exception>
    public static PretrainArguments Parse(IReadOnlyList<string> args)
    {
        var o = CommandOptions.Parse(args,
            [Preset, Config, Tokenizer, SeqLen, Batch, Steps, Tokens, Lr, Warmup, Decay, ValidFraction, EvalInterval,
             Checkpoints, CheckpointInterval, Seed, Device, Threads, Out, SamplePrompt, SampleTokens],
            [SplitLines, Resume],
            [Data]);
        var data = o.Values(Data).Concat(o.Positionals).ToList();
        if (o.Values(Data).Count == 0 && o.Positionals.Count > 0)
            throw new UsageException($"Unexpected argument '{o.Positionals[0]}'; give training text with {Data} PATH.");
        if (data.Any(string.IsNullOrWhiteSpace)) throw new UsageException($"Option {Data} needs a path.");
        if (o.Value(Preset) is not null && o.Value(Config) is not null)
            throw new UsageException($"Give {Preset} or {Config}, not both.");
        if (o.Value(Steps) is not null && o.Value(Tokens) is not null)
            throw new UsageException($"Give {Steps} or {Tokens}, not both.");
        if (o.Has(SplitLines) && data.Count == 0)
            throw new UsageException($"{SplitLines} applies to {Data} files.");
        if (o.Has(Resume) && o.Value(Checkpoints) is null)
            throw new UsageException($"{Resume} needs {Checkpoints} DIR: the folder to resume from.");
        var output = o.Value(Out) ?? DefaultOutput;
        if (string.IsNullOrWhiteSpace(output)) throw new UsageException($"Option {Out} needs a file path.");

        return new PretrainArguments
        {
            DataPaths = data,
            SplitLinesIntoDocuments = o.Has(SplitLines),
            PresetName = o.Value(Preset),
            ConfigPath = o.Value(Config),
            TokenizerName = o.Value(Tokenizer) is null ? null : o.Choice(Tokenizer, "byte", "byte", "gpt2"),
            SequenceLength = o.IntOrNull(SeqLen, min: 1),
            BatchSize = o.IntOrNull(Batch, min: 1),
            MaxSteps = o.IntOrNull(Steps, min: 1),
            TokenBudget = o.CountOrNull(Tokens),
            LearningRate = o.Value(Lr) is null ? null : o.Double(Lr, 0, min: 0, max: 1, minExclusive: true),
            WarmupSteps = o.IntOrNull(Warmup, min: 0),
            DecayShape = o.Value(Decay) is null ? null : Enum.Parse<ReferenceDecay>(o.Choice(Decay, "linear", "linear", "cosine", "constant"), ignoreCase: true),
            ValidationFraction = o.Value(ValidFraction) is null ? null : o.Double(ValidFraction, 0, min: 0, max: 0.9),
            EvalIntervalSteps = o.IntOrNull(EvalInterval, min: 0),
            CheckpointFolder = o.Value(Checkpoints),
            CheckpointIntervalSteps = o.IntOrNull(CheckpointInterval, min: 0),
            ResumeFromCheckpoint = o.Has(Resume),
            RandomSeed = o.IntOrNull(Seed),
            DeviceName = o.Value(Device) ?? "cpu",
            ThreadCount = o.IntOrNull(Threads, min: 1, max: 1024),
            OutputPath = output,
            Prompt = o.Value(SamplePrompt),
            PromptTokens = o.IntOrNull(SampleTokens, min: 0, max: 100_000),
        };
    }
}
