using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Pretraining;
using Megalodon.Reports;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Continual;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon continue</c>: continual pre-training of a saved language model on new text files through the ML.NET
/// estimator (<c>mlContext.Transforms.Megalodon().ContinualPretrain(options)</c>), with optional replay of the earlier
/// text in the base model's order, old and new validation sets, and a report (CSV and PNG) of losses, forgetting and
/// adaptation.
/// </summary>
public sealed class ContinueCommand : VerbCommand
{
    /// <summary>The report table's file name in the report folder.</summary>
    public const string ReportCsv = "report.csv";

    /// <summary>The report chart's file name in the report folder.</summary>
    public const string ReportPng = "report.png";

    private readonly Option<string?> _model = CliOptions.Text(ContinueArguments.Model, "FILE", "the base model, from 'megalodon pretrain' or an earlier 'continue'");
    private readonly Option<string[]> _data = CliOptions.Repeated(ContinueArguments.Data, "PATH", "new text: a file, or a folder (every *.txt under it); repeatable", manyPerToken: true);
    private readonly Option<bool> _splitLines = CliOptions.Flag(ContinueArguments.SplitLines, "one document per non-empty line (for every path option too)");
    private readonly Option<string[]> _replayData = CliOptions.Repeated(ContinueArguments.ReplayData, "PATH",
        "the text the base model was trained on (same paths, same order); repeatable");
    private readonly Option<double?> _replay = CliOptions.Number(ContinueArguments.Replay,
        $"share of every batch replayed from it, in [0, 0.99] (default: {ContinueArguments.DefaultReplay.ToString(CultureInfo.InvariantCulture)} with --replay-data, else 0); the new-data budget shrinks by the same amount",
        min: 0, max: 0.99);
    private readonly Option<string[]> _oldValid = CliOptions.Repeated(ContinueArguments.OldValid, "PATH", "validation text of the earlier domain (forgetting); repeatable");
    private readonly Option<string[]> _newValid = CliOptions.Repeated(ContinueArguments.NewValid, "PATH", "validation text of the new domain (adaptation); repeatable");
    private readonly Option<string?> _schedule = CliOptions.Choice(ContinueArguments.Schedule,
        "rewarm (warm-up 1% to --lr, cosine to 0.1 x), constant (0.1 x --lr), cosine-inf or invsqrt-inf (default: rewarm)",
        "rewarm", "constant", "cosine-inf", "invsqrt-inf");
    private readonly Option<int?> _steps = CliOptions.Int(ContinueArguments.Steps, "optimizer steps (default: 1000)", min: 1);
    private readonly Option<long?> _tokens = CliOptions.Count(ContinueArguments.Tokens, "how long in input tokens instead of steps, such as 2M");
    private readonly Option<double?> _lr = CliOptions.Number(ContinueArguments.Lr, "maximum learning rate (default: 3e-4)", min: 0, max: 1, minExclusive: true);
    private readonly Option<int?> _batch = CliOptions.Int(ContinueArguments.Batch, "windows per step (default: 8); the sequence length is the base run's", min: 1);
    private readonly Option<int?> _evalInterval = CliOptions.Int(ContinueArguments.EvalInterval, "measure the validation sets every N steps (default: 100)", min: 0);
    private readonly Option<string?> _keepOptimizer = CliOptions.Text(ContinueArguments.KeepOptimizer, "DIR",
        "keep the AdamW state of the base run's checkpoint folder (default: reset)");
    private readonly Option<string?> _checkpoints = CliOptions.Text(ContinueArguments.Checkpoints, "DIR", "write this run's checkpoints here");
    private readonly Option<int?> _seed = CliOptions.Int(ContinueArguments.Seed, "seed of the new data's order (default: 1)");
    private readonly Option<string?> _device = CliOptions.Device();
    private readonly Option<int?> _threads = CliOptions.Threads();
    private readonly Option<string?> _out = CliOptions.Text(ContinueArguments.Out, "FILE", $"where to save the model (default: {ContinueArguments.DefaultOutput})");
    private readonly Option<string?> _reportDir = CliOptions.Text(ContinueArguments.ReportDir, "DIR",
        $"where {ReportCsv} and {ReportPng} go (default: {ContinueArguments.DefaultReportFolder})");

    /// <summary>Creates the verb.</summary>
    public ContinueCommand() : base("continue", "Continue pretraining a saved model on new text, with replay and forgetting/adaptation report.")
    {
        _model.Required = true;
        _data.Required = true;
        foreach (var option in new Option[] { _model, _data, _splitLines, _replayData, _replay, _oldValid, _newValid, _schedule, _steps, _tokens, _lr, _batch,
                     _evalInterval, _keepOptimizer, _checkpoints, _seed, _device, _threads, _out, _reportDir })
            Add(option);
        CliOptions.AtMostOne(this, _steps, _tokens);
        Validators.Add(r =>
        {
            if (CliOptions.Value(r, _replay) > 0 && !CliOptions.Given(r, _replayData))
                r.AddError($"{ContinueArguments.Replay} needs {ContinueArguments.ReplayData} PATH: the text the base model was trained on.");
        });
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon continue --model FILE --data PATH... [options]";

    /// <inheritdoc />
    public override string Details => "Continues pretraining a saved Megalodon language model (.zip) on new text and saves the result.";

    /// <inheritdoc />
    public override string Notes =>
        $"""
        Progress goes to standard error as for 'pretrain'.
        Exit code: 0 success, 1 failure, 2 bad arguments, {PretrainCommand.CancelledExitCode} cancelled.
        """;

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var replayPaths = parse.GetValue(_replayData) ?? [];
        var a = new ContinueArguments
        {
            ModelPath = parse.GetValue(_model)!,
            DataPaths = parse.GetValue(_data) ?? [],
            SplitLinesIntoDocuments = parse.GetValue(_splitLines),
            ReplayDataPaths = replayPaths,
            ReplayFraction = parse.GetValue(_replay) ?? (replayPaths.Length > 0 ? ContinueArguments.DefaultReplay : 0),
            ScheduleKind = parse.GetValue(_schedule) switch
            {
                "constant" => ContinualScheduleKind.Constant,
                "cosine-inf" => ContinualScheduleKind.CosineInf,
                "invsqrt-inf" => ContinualScheduleKind.InvSqrtInf,
                _ => ContinualScheduleKind.ReWarmReDecay,
            },
            OldValidationPaths = parse.GetValue(_oldValid) ?? [],
            NewValidationPaths = parse.GetValue(_newValid) ?? [],
            MaxSteps = parse.GetValue(_steps),
            TokenBudget = parse.GetValue(_tokens),
            LearningRate = parse.GetValue(_lr),
            BatchSize = parse.GetValue(_batch),
            EvalIntervalSteps = parse.GetValue(_evalInterval),
            KeepOptimizerFrom = parse.GetValue(_keepOptimizer),
            CheckpointFolder = parse.GetValue(_checkpoints),
            RandomSeed = parse.GetValue(_seed) ?? 1,
            DeviceName = parse.GetValue(_device) ?? "cpu",
            ThreadCount = parse.GetValue(_threads),
            OutputPath = parse.GetValue(_out) ?? ContinueArguments.DefaultOutput,
            ReportFolder = parse.GetValue(_reportDir) ?? ContinueArguments.DefaultReportFolder,
        };
        using var baseModel = LanguageModelFile.Load(a.ModelPath);
        var warn = (string line) => error.WriteLine($"megalodon continue: {line}");
        var ml = new MLContext(a.RandomSeed);
        ml.Log += (_, e) => TrainingConsole.ForwardLog(e, error, "continue", "Continuing ");
        IDataView Read(IReadOnlyList<string> paths) =>
            ml.Data.LoadFromEnumerable(TextDocumentReader.Read(paths, a.SplitLinesIntoDocuments, warn).Documents.Select(d => new TextRow { Text = d }));

        var sets = new Dictionary<string, IDataView>();
        if (a.OldValidationPaths.Count > 0) sets[ContinualTrainingReport.OldRole] = Read(a.OldValidationPaths);
        if (a.NewValidationPaths.Count > 0) sets[ContinualTrainingReport.NewRole] = Read(a.NewValidationPaths);
        var data = Read(a.DataPaths);
        var options = new ContinualPretrainEstimator.Options
        {
            TextColumnName = nameof(TextRow.Text),
            BaseModel = baseModel,
            BaseCheckpointFolder = a.KeepOptimizerFrom,
            ResetOptimizerState = a.KeepOptimizerFrom is null,
            ReplayData = a.ReplayDataPaths.Count > 0 ? Read(a.ReplayDataPaths) : null,
            ReplayFraction = a.ReplayFraction,
            ScheduleKind = a.ScheduleKind,
            ScheduleSettings = new ContinualScheduleSettings { MaxLearningRate = a.LearningRate ?? 3e-4 },
            ValidationSets = sets,
            MaxSteps = a.MaxSteps ?? (a.TokenBudget is null ? 1000 : null),
            TokenBudget = a.TokenBudget,
            BatchSize = a.BatchSize ?? 8,
            EvalInterval = a.EvalIntervalSteps ?? 100,
            CheckpointFolder = a.CheckpointFolder,
            Seed = a.RandomSeed,
            Device = a.DeviceName,
            Threads = a.ThreadCount,
        };
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"continue  {Path.GetFileName(a.ModelPath)}: {(options.MaxSteps is { } s ? $"{s} steps" : $"{options.TokenBudget} tokens")}, schedule {a.ScheduleKind}, lr {options.ScheduleSettings.MaxLearningRate:G4}, replay {a.ReplayFraction * 100:0.##}%, optimizer {(options.ResetOptimizerState ? "reset" : "kept")}, seed {a.RandomSeed}"));
        output.Flush();

        var model = TrainingConsole.Fit(error, (progress, cancel) => { options.Progress = progress; options.CancellationToken = cancel; },
            () => ml.Transforms.Megalodon().ContinualPretrain(options).Fit(data), "megalodon continue: cancelled; nothing was saved.");
        if (model is null) return PretrainCommand.CancelledExitCode;

        using (model)
        {
            var path = Path.GetFullPath(a.OutputPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ml.Model.Save(model, data.Schema, path);
            PretrainCommand.Report(model, path, output);
            if (model.ContinualReport is { } report)
                WriteReport(report, a.ReportFolder, output);
        }
        return 0;
    }

    private static void WriteReport(ContinualTrainingReport report, string folder, TextWriter output)
    {
        var csv = Path.GetFullPath(Path.Combine(folder, ReportCsv));
        var png = Path.GetFullPath(Path.Combine(folder, ReportPng));
        report.SaveCsv(csv);
        report.SavePng(png);
        var (first, last) = (report.Evaluations[0], report.Evaluations[^1]);
        foreach (var set in report.SetNames)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss {set,-4} {first.Losses[set]:F4} -> {last.Losses[set]:F4} (step {last.Step})"));
        if (report.FinalForgetting is { } f) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"forgetting {f:+0.0000;-0.0000}"));
        if (report.FinalAdaptation is { } d) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"adaptation {d:+0.0000;-0.0000}"));
        output.WriteLine($"report    {csv}, {png}");
    }
}
