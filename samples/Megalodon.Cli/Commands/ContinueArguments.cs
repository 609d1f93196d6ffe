using Megalodon.ML.Training;

namespace Megalodon.Cli.Commands;

/// <summary>
/// The options of <c>megalodon continue</c> as typed, each null when not given (defaults are applied later); the names are
/// those of <see cref="ContinueCommand"/>'s options.
/// </summary>
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
}
