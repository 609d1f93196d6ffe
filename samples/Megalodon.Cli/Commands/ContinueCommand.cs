using System.Globalization;
using Megalodon.Cli.Pretraining;
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
public sealed class ContinueCommand : ICliCommand
{
    /// <summary>The report table's file name in the report folder.</summary>
    public const string ReportCsv = "report.csv";

    /// <summary>The report chart's file name in the report folder.</summary>
    public const string ReportPng = "report.png";

    /// <inheritdoc />
    public string Name => "continue";

    /// <inheritdoc />
    public string Summary => "Continue pretraining a saved model on new text, with replay and forgetting/adaptation report.";

    /// <inheritdoc />
    public string Usage =>
        $"""
        Usage: megalodon continue --model FILE --data PATH... [options]

        Continues pretraining a saved Megalodon language model (.zip) on new text and saves the result.

        Data:
          --model FILE           the base model, from 'megalodon pretrain' or an earlier 'continue'
          --data PATH            new text: a file, or a folder (every *.txt under it); repeatable
          --split-lines          one document per non-empty line (for every path below too)
          --replay-data PATH     the text the base model was trained on (same paths, same order); repeatable
          --replay X             share of every batch replayed from it, in [0, 0.99] (default: {ContinueArguments.DefaultReplay.ToString(CultureInfo.InvariantCulture)}
                                 with --replay-data, else 0); the new-data budget shrinks by the same amount
          --old-valid PATH       validation text of the earlier domain (forgetting); repeatable
          --new-valid PATH       validation text of the new domain (adaptation); repeatable
        Training:
          --schedule NAME        rewarm (warm-up 1% to --lr, cosine to 0.1 x), constant (0.1 x --lr),
                                 cosine-inf or invsqrt-inf (default: rewarm)
          --steps N | --tokens N how long (default: 1000 steps)
          --lr X                 maximum learning rate (default: 3e-4)
          --batch N              windows per step (default: 8); the sequence length is the base run's
          --eval-interval N      measure the validation sets every N steps (default: 100)
          --keep-optimizer DIR   keep the AdamW state of the base run's checkpoint folder (default: reset)
          --checkpoints DIR      write this run's checkpoints here
          --seed N               seed of the new data's order (default: 1)
          --device NAME          cpu, cuda, cuda:N or auto (default: cpu)
          --threads N            torch threads (default: MEGALODON_THREADS, else 1)
        Output:
          --out FILE             where to save the model (default: {ContinueArguments.DefaultOutput})
          --report-dir DIR       where {ReportCsv} and {ReportPng} go (default: {ContinueArguments.DefaultReportFolder})

        Progress goes to standard error as for 'pretrain'.
        Exit code: 0 success, 1 failure, 2 bad arguments, {PretrainCommand.CancelledExitCode} cancelled.

        """;

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var a = ContinueArguments.Parse(args);
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
