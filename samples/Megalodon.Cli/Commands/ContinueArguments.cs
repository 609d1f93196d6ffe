using Megalodon.ML.Training;

namespace Megalodon.Cli.Commands;

/// <summary>The options of <c>megalodon continue</c> as typed, each null when not given (defaults are applied later).</summary>
internal sealed record ContinueArguments
{
    public const string Model = "--model";
    public const string Data = "--data";
    public const string SplitLines = "--split-lines";
    public const string ReplayData = "--replay-data";
    public const string Replay = "--replay";
    public const string Schedule = "--schedule";
    public const string OldValid = "--old-valid";
    public const string NewValid = "--new-valid";
    public const string Steps = "--steps";
    public const string Tokens = "--tokens";
    public const string Lr = "--lr";
    public const string Batch = "--batch";
    public const string EvalInterval = "--eval-interval";
    public const string KeepOptimizer = "--keep-optimizer";
    public const string Checkpoints = "--checkpoints";
    public const string Seed = "--seed";
    public const string Device = "--device";
    public const string Threads = "--threads";
    public const string Out = "--out";
    public const string ReportDir = "--report-dir";

    /// <summary>The replay fraction when replay data is given without <c>--replay</c> (the paper's weak-shift choice).</summary>
    public const double DefaultReplay = 0.05;

    /// <summary>Where the model goes when <c>--out</c> is not given.</summary>
    public static readonly string DefaultOutput = Path.Combine("runs", "continue", "model.zip");

    /// <summary>Where the report goes when <c>--report-dir</c> is not given.</summary>
    public static readonly string DefaultReportFolder = Path.Combine("runs", "continue");

    /// <summary>The base model (.zip).</summary>
    public string ModelPath { get; init; } = "";
    public IReadOnlyList<string> DataPaths { get; init; } = [];
    public bool SplitLinesIntoDocuments { get; init; }
    public IReadOnlyList<string> ReplayDataPaths { get; init; } = [];
    public double ReplayFraction { get; init; }
    public ContinualScheduleKind ScheduleKind { get; init; }
    public IReadOnlyList<string> OldValidationPaths { get; init; } = [];
    public IReadOnlyList<string> NewValidationPaths { get; init; } = [];
    public long? MaxSteps { get; init; }
    public long? TokenBudget { get; init; }
    public double? LearningRate { get; init; }
    public int? BatchSize { get; init; }
    public int? EvalIntervalSteps { get; init; }
    /// <summary>A checkpoint folder of the base run whose optimizer state is kept; null resets it.</summary>
    public string? KeepOptimizerFrom { get; init; }
    public string? CheckpointFolder { get; init; }
    public int RandomSeed { get; init; } = 1;
    public string DeviceName { get; init; } = "cpu";
    public int? ThreadCount { get; init; }
    public string OutputPath { get; init; } = DefaultOutput;
    public string ReportFolder { get; init; } = DefaultReportFolder;

    /// <summary>Parses the verb's arguments; positional arguments are more new-data paths.</summary>
    /// <exception cref="UsageException">An option is unknown, malformed, out of range, or conflicts with another.</exception>
    public static ContinueArguments Parse(IReadOnlyList<string> args)
    {
        var o = CommandOptions.Parse(args,
            [Model, Replay, Schedule, Steps, Tokens, Lr, Batch, EvalInterval, KeepOptimizer, Checkpoints, Seed, Device, Threads, Out, ReportDir],
            [SplitLines],
            [Data, ReplayData, OldValid, NewValid]);
        var model = o.Value(Model) ?? throw new UsageException($"Give the base model with {Model} FILE.");
        var data = o.Values(Data).Concat(o.Positionals).ToList();
        if (data.Count == 0) throw new UsageException($"Give the new text with {Data} PATH.");
        if (o.Value(Steps) is not null && o.Value(Tokens) is not null)
            throw new UsageException($"Give {Steps} or {Tokens}, not both.");
        var replayPaths = o.Values(ReplayData);
        double replay = o.Double(Replay, replayPaths.Count > 0 ? DefaultReplay : 0, min: 0, max: 0.99);
        if (replay > 0 && replayPaths.Count == 0)
            throw new UsageException($"{Replay} needs {ReplayData} PATH: the text the base model was trained on.");
        var schedule = o.Choice(Schedule, "rewarm", "rewarm", "constant", "cosine-inf", "invsqrt-inf") switch
        {
            "constant" => ContinualScheduleKind.Constant,
            "cosine-inf" => ContinualScheduleKind.CosineInf,
            "invsqrt-inf" => ContinualScheduleKind.InvSqrtInf,
            _ => ContinualScheduleKind.ReWarmReDecay,
        };
        return new ContinueArguments
        {
            ModelPath = model,
            DataPaths = data,
            SplitLinesIntoDocuments = o.Has(SplitLines),
            ReplayDataPaths = replayPaths,
            ReplayFraction = replay,
            ScheduleKind = schedule,
            OldValidationPaths = o.Values(OldValid),
            NewValidationPaths = o.Values(NewValid),
            MaxSteps = o.IntOrNull(Steps, min: 1),
            TokenBudget = o.CountOrNull(Tokens),
            LearningRate = o.Value(Lr) is null ? null : o.Double(Lr, 0, min: 0, max: 1, minExclusive: true),
            BatchSize = o.IntOrNull(Batch, min: 1),
            EvalIntervalSteps = o.IntOrNull(EvalInterval, min: 0),
            KeepOptimizerFrom = o.Value(KeepOptimizer),
            CheckpointFolder = o.Value(Checkpoints),
            RandomSeed = o.Int(Seed, 1),
            DeviceName = o.Value(Device) ?? "cpu",
            ThreadCount = o.IntOrNull(Threads, min: 1, max: 1024),
            OutputPath = o.Value(Out) ?? DefaultOutput,
            ReportFolder = o.Value(ReportDir) ?? DefaultReportFolder,
        };
    }
}
