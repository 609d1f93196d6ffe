using System.Diagnostics;
using System.Globalization;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Continual;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using TorchSharp;

namespace Megalodon.Bench.Continual;

/// <summary>
/// The shape of Table 2 of "Simple and Scalable Strategies to Continually Pre-train LLMs" on CPU-sized corpora:
/// D0 = State of the Union addresses, weak shift D1 = WikiText-2, strong shift D1 = Linux kernel C. Rows: D0 only,
/// D1 only, union from scratch, continual with a constant rate, continual with re-warm + re-decay at 0/1/5/25%
/// seen-data replay, the paper's replay share of unseen D0 windows, and the infinite-schedule comparison (a cosine and
/// a Cosine-Inf base, each continued with its own schedule, the AdamW state reset in one pair of rows and kept in the
/// other). Every row is trained with each seed; every final loss is measured on the same held-out windows. Each
/// finished row is saved at once and never trained again, and pretraining rows resume from their last checkpoint, so
/// rerunning the command continues an interrupted experiment; any number of worker processes can share the folder.
/// </summary>
internal sealed class ContinualExperiment
{
    private const string D0Id = "d0";
    private const string D0InfiniteId = "d0-inf";

    private readonly ContinualExperimentSettings _settings;
    private readonly ModelTokenizer _tokenizer = ModelTokenizer.ByteLevel();
    private readonly Lazy<ContinualDomain> _d0 = new(ContinualDomain.StateOfTheUnion);
    private readonly Lazy<ContinualDomain> _weak = new(ContinualDomain.WikiText);
    private readonly Lazy<ContinualDomain> _strong = new(ContinualDomain.LinuxKernel);
    private readonly Dictionary<string, ITokenBatchSource> _evaluationWindows = [];

    private ContinualExperiment(ContinualExperimentSettings settings) => _settings = settings;

    /// <summary>The shifts: name, D1 corpus name and the paper's replay share for it (5% weak, 25% strong).</summary>
    public static readonly IReadOnlyList<(string Shift, string D1Name, int PapersReplayPercent)> Shifts =
        [("weak", "wikitext-2", 5), ("strong", "linux-kernel", 25)];

    /// <summary>The re-warm + re-decay replay shares of the Table-2 rows, in percent.</summary>
    public static readonly IReadOnlyList<int> ReplayPercents = [0, 1, 5, 25];

    /// <summary>Folder of one seed's rows, models and checkpoints.</summary>
    public static string SeedFolder(string outDir, int seed) => Path.Combine(outDir, $"seed-{seed}");

    /// <summary>Folder of one seed's finished rows (one JSON file each).</summary>
    public static string RowsFolder(string outDir, int seed) => Path.Combine(SeedFolder(outDir, seed), "rows");

    private string Models(int seed) => Path.Combine(SeedFolder(_settings.OutDir, seed), "models");
    private string D0ModelPath(int seed) => Path.Combine(Models(seed), "d0.zip");
    private string CheckpointFolder(int seed, string id) => Path.Combine(SeedFolder(_settings.OutDir, seed), "checkpoints", id);

    /// <summary>Runs the part of the experiment named by <c>--part</c>: all (one worker, then the report), worker, or report.</summary>
    public static void Run(BenchOptions options)
    {
        var settings = ContinualExperimentSettings.From(options);
        var experiment = new ContinualExperiment(settings);
        switch (options.Part)
        {
            case "all":
                experiment.Work();
                ContinualExperimentReport.Write(settings);
                break;
            case "worker": experiment.Work(); break;
            case "report": ContinualExperimentReport.Write(settings); break;
            default: throw new ArgumentException($"Unknown part '{options.Part}': all, worker or report.");
        }
    }

    private void Work()
    {
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} worker {Environment.ProcessId}: {_settings.Steps} steps per budget, seeds {string.Join(", ", _settings.Seeds)}, output {_settings.OutDir}");
        new ContinualJobQueue(Jobs(), IsDone, Path.Combine(_settings.OutDir, "claims")).RunAll();
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} worker {Environment.ProcessId}: every row has finished");
    }

    private bool IsDone(int seed, string id) =>
        File.Exists(Path.Combine(RowsFolder(_settings.OutDir, seed), id + ".json")) && (id != D0Id || File.Exists(D0ModelPath(seed)));

    /// <summary>
    /// Every run, seed after seed; within a seed the rows the criteria need come first (D0, then per shift 0% and the
    /// paper's replay and the union), then the rest of Table 2, then the infinite-schedule comparison.
    /// </summary>
    private List<ContinualJob> Jobs()
    {
        var jobs = new List<ContinualJob>();
        foreach (var seed in _settings.Seeds)
        {
            string[] d0 = [D0Id], d0Inf = [D0InfiniteId];
            void Add(string id, string[] needs, Action run) => jobs.Add(new ContinualJob(seed, id, needs, run));
            Add(D0Id, [], () => RunD0(seed));
            // A worker that finds D0 unfinished takes the union of the shift instead, so neither waits.
            foreach (var (shift, _, p) in Shifts)
            {
                Add($"{shift}-rewarm-0", d0, () => RunRewarm(seed, shift, 0, ContinualReplayStart.FromBaseStart, resetOptimizer: true));
                Add($"{shift}-rewarm-{p}", d0, () => RunRewarm(seed, shift, p, ContinualReplayStart.FromBaseStart, resetOptimizer: true));
                Add($"{shift}-union", [], () => RunUnion(seed, shift));
            }
            foreach (var (shift, _, p) in Shifts)
            {
                Add($"{shift}-d1", [], () => RunD1(seed, shift));
                Add($"{shift}-constant", d0, () => RunConstant(seed, shift));
                foreach (var r in ReplayPercents.Where(r => r != 0 && r != p))
                    Add($"{shift}-rewarm-{r}", d0, () => RunRewarm(seed, shift, r, ContinualReplayStart.FromBaseStart, resetOptimizer: true));
            }
            Add(D0InfiniteId, [], () => RunD0Infinite(seed));
            foreach (var (shift, _, p) in Shifts)
            {
                Add($"{shift}-inf-{p}-reset", d0Inf, () => RunInfinite(seed, shift, p, resetOptimizer: true));
                Add($"{shift}-inf-{p}-kept", d0Inf, () => RunInfinite(seed, shift, p, resetOptimizer: false));
                Add($"{shift}-rewarm-{p}-kept", d0, () => RunRewarm(seed, shift, p, ContinualReplayStart.FromBaseStart, resetOptimizer: false));
                Add($"{shift}-rewarm-{p}-fresh", d0, () => RunRewarm(seed, shift, p, ContinualReplayStart.ContinueAfterBase, resetOptimizer: true));
            }
        }
        return jobs;
    }

    private ContinualDomain Domain(string shift) => shift == "weak" ? _weak.Value : _strong.Value;

    private static int PapersReplay(string shift) => Shifts.Single(s => s.Shift == shift).PapersReplayPercent;

    /// <summary>D0 only: pre-training on sotu with warm-up 1% and cosine to 0.1 × max, the base of the continual rows.</summary>
    private void RunD0(int seed)
    {
        var d0 = _d0.Value;
        Describe(d0);
        var schedule = BaseSchedule(_settings.Steps);
        var ml = new MLContext(seed);
        // Its last checkpoint (weights and AdamW state) is kept for the row that continues with the optimizer state kept.
        var (model, seconds) = Pretrain(seed, D0Id, ml, Documents(ml, d0.Train), Documents(ml, d0.Validation), schedule, _settings.Steps, keepLastCheckpoint: true);
        using (model)
        {
            Directory.CreateDirectory(Models(seed));
            ml.Model.Save(model, Documents(ml, d0.Train).Schema, D0ModelPath(seed));
            SaveBaseRow(seed, D0Id, "D0 only (cosine)", model, seconds);
        }
    }

    /// <summary>
    /// D0 with the Cosine-Inf schedule and no anneal (warm-up 1%, cooldown to 0.55 × max by 60% of the steps, then
    /// constant): its last checkpoint, taken in the constant phase, is where the infinite-schedule rows continue.
    /// </summary>
    private void RunD0Infinite(int seed)
    {
        var d0 = _d0.Value;
        var schedule = InfiniteSchedule.FromFractions(CooldownShape.Cosine, _settings.Steps, _settings.MaxLearningRate,
            ContinualScheduleSettings.DefaultConstantRatio * _settings.MaxLearningRate, _settings.MaxLearningRate * RewarmCosineSchedule.DefaultMinRatio,
            annealStartFraction: null);
        var ml = new MLContext(seed);
        var (model, seconds) = Pretrain(seed, D0InfiniteId, ml, Documents(ml, d0.Train), Documents(ml, d0.Validation), schedule, _settings.Steps, keepLastCheckpoint: true);
        using (model)
            SaveBaseRow(seed, D0InfiniteId, "D0 only (Cosine-Inf, constant phase, not annealed)", model, seconds);
    }

    private void RunD1(int seed, string shift)
    {
        var d1 = Domain(shift);
        Describe(d1);
        var ml = new MLContext(seed);
        var (model, seconds) = Pretrain(seed, $"{shift}-d1", ml, Documents(ml, d1.Train), Documents(ml, d1.Validation), BaseSchedule(_settings.Steps), _settings.Steps, keepLastCheckpoint: false);
        SaveRow(seed, $"{shift}-d1", "D1 only", shift, model, seconds, _settings.TokensPerBudget, 0, []);
    }

    private void RunUnion(int seed, string shift)
    {
        var (d0, d1) = (_d0.Value, Domain(shift));
        // Both datasets' budgets, in equal shares: D1's documents are repeated until its tokens match D0's, so
        // randomly drawn windows come from each about half the time, like the paper's 300B + 300B union.
        int repeats = Math.Max(1, (int)Math.Round((double)d0.TrainBytes / d1.TrainBytes));
        Console.WriteLine($"  union: D1 repeated {repeats}x to balance D0's {d0.TrainBytes:N0} bytes against D1's {d1.TrainBytes:N0}");
        var ml = new MLContext(seed);
        var union = Documents(ml, [.. d0.Train, .. Enumerable.Repeat(d1.Train, repeats).SelectMany(d => d)]);
        long steps = 2 * _settings.Steps;
        var (model, seconds) = Pretrain(seed, $"{shift}-union", ml, union, Documents(ml, d0.Validation), BaseSchedule(steps), steps, keepLastCheckpoint: false);
        SaveRow(seed, $"{shift}-union", "Union D0+D1 from scratch (2 budgets)", shift, model, seconds, 2 * _settings.TokensPerBudget, 0, []);
    }

    private void RunConstant(int seed, string shift) =>
        Continue(seed, $"{shift}-constant", "Continual, constant LR (0.1 × peak), 0% replay", shift, D0Id, 0,
            ContinualReplayStart.FromBaseStart, ContinualScheduleKind.Constant, null, resetOptimizer: true);

    private void RunRewarm(int seed, string shift, int percent, ContinualReplayStart replayStart, bool resetOptimizer)
    {
        string id = $"{shift}-rewarm-{percent}", name;
        if (replayStart == ContinualReplayStart.ContinueAfterBase)
        {
            id += "-fresh";
            name = $"Continual, re-warm + re-decay, {percent}% replay of unseen D0 windows (option ContinueAfterBase)";
        }
        else if (!resetOptimizer)
        {
            id += "-kept";
            name = $"Continual, cosine base, re-warm + re-decay, AdamW state kept, {percent}% seen-data replay";
        }
        else
            name = $"Continual, re-warm + re-decay, {percent}% seen-data replay{(percent == PapersReplay(shift) ? " (paper's choice)" : "")}";
        Continue(seed, id, name, shift, D0Id, percent / 100.0, replayStart, ContinualScheduleKind.ReWarmReDecay, null, resetOptimizer);
    }

    /// <summary>
    /// The infinite schedule continues the un-annealed Cosine-Inf D0 run without re-warming: constant 0.55 × max, then
    /// the exponential anneal to the minimum over the last 15% (the paper's anneal start, 85% of the steps).
    /// </summary>
    private void RunInfinite(int seed, string shift, int percent, bool resetOptimizer)
    {
        double constant = ContinualScheduleSettings.DefaultConstantRatio * _settings.MaxLearningRate;
        var infinite = new InfiniteSchedule(CooldownShape.Cosine, constant, constant, _settings.MaxLearningRate * RewarmCosineSchedule.DefaultMinRatio,
            warmupSteps: 0, cooldownEndStep: 1, annealStartStep: (long)Math.Round(0.85 * _settings.Steps), annealEndStep: _settings.Steps);
        string policy = resetOptimizer ? "reset" : "kept";
        Continue(seed, $"{shift}-inf-{percent}-{policy}",
            $"Continual, Cosine-Inf base, Cosine-Inf continuation (no re-warm, anneal last 15%), AdamW state {policy}, {percent}% seen-data replay",
            shift, D0InfiniteId, percent / 100.0, ContinualReplayStart.FromBaseStart, ContinualScheduleKind.CosineInf, infinite, resetOptimizer);
    }

    private LearningRateSchedule BaseSchedule(long steps) => RewarmCosineSchedule.FromFraction(steps, _settings.MaxLearningRate,
        RewarmCosineSchedule.DefaultWarmupFraction, _settings.MaxLearningRate * RewarmCosineSchedule.DefaultMinRatio);

    /// <summary>Pretrains from scratch, resuming from the row's last checkpoint when an earlier attempt left one.</summary>
    private (MegalodonLanguageModelTransformer Model, double Seconds) Pretrain(int seed, string id, MLContext ml,
        IDataView train, IDataView validation, LearningRateSchedule schedule, long steps, bool keepLastCheckpoint)
    {
        var folder = CheckpointFolder(seed, id);
        var store = new FolderCheckpointStore(folder);
        bool resume = Directory.Exists(folder) && store.ListSteps().Count > 0;
        Console.WriteLine($"seed-{seed}/{id}: pretraining {steps} steps, {schedule}{(resume ? $", resuming from step {store.ListSteps()[^1]}" : "")}");
        var estimator = ml.Transforms.Megalodon().Pretrain(new MegalodonPretrainEstimator.Options
        {
            Config = _settings.Model(_tokenizer.VocabSize),
            Tokenizer = _tokenizer,
            SequenceLength = _settings.SequenceLength,
            BatchSize = _settings.BatchSize,
            MaxSteps = steps,
            LearningRate = _settings.MaxLearningRate,
            Schedule = schedule,
            ValidationData = validation,
            EvalInterval = (int)Math.Max(1, steps / 5),
            CheckpointFolder = folder,
            CheckpointInterval = (int)Math.Max(1, steps / 5),
            ResumeFromCheckpoint = resume,
            Seed = seed,
            Threads = _settings.Threads,
            Progress = new ProgressPrinter($"seed-{seed}/{id}", Math.Max(1, steps / 20)),
        });
        var model = estimator.Fit(train);
        // Only a base run's last checkpoint is needed later (its AdamW state); the others were only for resuming.
        if (keepLastCheckpoint)
            foreach (var step in store.ListSteps().SkipLast(1)) store.Delete(step);
        else
            Directory.Delete(folder, recursive: true);
        return (model, model.TrainingResult?.Elapsed.TotalSeconds ?? 0);
    }

    private void Continue(int seed, string id, string name, string shift, string baseId, double replay,
        ContinualReplayStart replayStart, ContinualScheduleKind kind, LearningRateSchedule? schedule, bool resetOptimizer)
    {
        var (d0, d1) = (_d0.Value, Domain(shift));
        Console.WriteLine($"seed-{seed}/{id}: continual from {baseId}, {kind}, replay {replay:P0} ({replayStart}), AdamW state {(resetOptimizer ? "reset" : "kept")}");
        var ml = new MLContext(seed);
        var trainD0 = Documents(ml, d0.Train);
        using var baseModel = baseId == D0Id ? (MegalodonLanguageModelTransformer)ml.Model.Load(D0ModelPath(seed), out _) : null;
        // The cosine base's AdamW state comes from its last checkpoint; the Cosine-Inf base is only a checkpoint.
        string? baseCheckpoint = baseId == D0InfiniteId || !resetOptimizer ? CheckpointFolder(seed, baseId) : null;
        var estimator = ml.Transforms.Megalodon().ContinualPretrain(new ContinualPretrainEstimator.Options
        {
            BaseModel = baseModel,
            BaseCheckpointFolder = baseCheckpoint,
            BaseCheckpointStep = baseCheckpoint is null ? null : _settings.Steps,
            ResetOptimizerState = resetOptimizer,
            ReplayData = replay > 0 ? trainD0 : null,
            ReplayFraction = replay,
            ReplayStart = replayStart,
            ScheduleKind = kind,
            Schedule = schedule,
            ScheduleSettings = new ContinualScheduleSettings { MaxLearningRate = _settings.MaxLearningRate },
            ValidationSets = new Dictionary<string, IDataView> { ["old"] = Documents(ml, d0.Validation), ["new"] = Documents(ml, d1.Validation) },
            EvalInterval = (int)Math.Max(1, _settings.Steps / 10),
            MaxSteps = _settings.Steps,
            SequenceLength = _settings.SequenceLength,
            BatchSize = _settings.BatchSize,
            Seed = seed,
            Threads = _settings.Threads,
            Progress = new ProgressPrinter($"seed-{seed}/{id}", Math.Max(1, _settings.Steps / 20)),
        });
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(Documents(ml, d1.Train));
        double seconds = clock.Elapsed.TotalSeconds;
        var curve = model.ContinualReport!.Evaluations.Select(e => new[] { e.Step, e.Losses["old"], e.Losses["new"] }).ToList();
        long replayWindows = ReplayTokenBatchSource.ReplayedAfter(_settings.Steps * _settings.BatchSize, replay);
        SaveRow(seed, id, name, shift, model, seconds, _settings.TokensPerBudget, replayWindows * _settings.SequenceLength, curve);
    }

    private void SaveRow(int seed, string id, string name, string shift, MegalodonLanguageModelTransformer model, double seconds,
        long tokens, long replayTokens, IReadOnlyList<double[]> curve)
    {
        using (model)
        {
            var row = new ContinualRowResult
            {
                Id = id, Name = name, Shift = shift, Seed = seed,
                D0Loss = FinalLoss(model, _d0.Value), D1Loss = FinalLoss(model, Domain(shift)),
                Steps = model.TrainingResult?.Steps ?? 0, Tokens = tokens, ReplayTokens = replayTokens, Seconds = seconds, Curve = curve,
                FinishedUtc = DateTime.UtcNow,
            };
            row.Save(RowsFolder(_settings.OutDir, seed));
            Console.WriteLine(F($"{DateTime.UtcNow:HH:mm:ss} seed-{seed}/{id}: D0 {row.D0Loss:F4}, D1 {row.D1Loss:F4}, mean {row.Mean:F4} ({seconds / 60:F1} min)"));
        }
    }

    private void SaveBaseRow(int seed, string id, string name, MegalodonLanguageModelTransformer model, double seconds)
    {
        var row = new ContinualRowResult
        {
            Id = id, Name = name, Shift = "base", Seed = seed,
            D0Loss = FinalLoss(model, _d0.Value), WeakLoss = FinalLoss(model, _weak.Value), StrongLoss = FinalLoss(model, _strong.Value),
            Steps = model.TrainingResult?.Steps ?? 0, Tokens = _settings.TokensPerBudget, Seconds = seconds, FinishedUtc = DateTime.UtcNow,
        };
        row.Save(RowsFolder(_settings.OutDir, seed));
        Console.WriteLine(F($"{DateTime.UtcNow:HH:mm:ss} seed-{seed}/{id}: D0 {row.D0Loss:F4}, wikitext-2 {row.WeakLoss:F4}, linux-kernel {row.StrongLoss:F4} ({seconds / 60:F1} min)"));
    }

    /// <summary>
    /// The final validation loss of <paramref name="model"/> on <paramref name="domain"/>: the same
    /// <see cref="ContinualExperimentSettings.EvalBatches"/> batches of windows drawn (with a fixed seed, the same for
    /// every seed of the experiment) from the whole held-out set, so rows differ only by their model.
    /// </summary>
    private double FinalLoss(MegalodonLanguageModelTransformer model, ContinualDomain domain)
    {
        if (!_evaluationWindows.TryGetValue(domain.Name, out var windows))
        {
            var stream = TokenStream.FromDocuments(domain.Validation, _tokenizer);
            windows = new PackedTokenWindowSource(stream.Tokens, _settings.SequenceLength, seed: 20240313, shuffle: true);
            _evaluationWindows[domain.Name] = windows;
        }
        return HeldOutLoss.Measure(model.Model, windows, _settings.EvalBatches, _settings.BatchSize, torch.CPU).Loss;
    }

    private static IDataView Documents(MLContext ml, IEnumerable<string> documents) =>
        ml.Data.LoadFromEnumerable(documents.Select(d => new TextRow { Text = d }).ToList());

    private static void Describe(ContinualDomain domain) =>
        Console.WriteLine($"{domain.Name}: {domain.Train.Count} training documents ({domain.TrainBytes:N0} bytes), {domain.Validation.Count} validation documents ({domain.ValidationBytes:N0} bytes)");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A document row of the text column the estimators read.</summary>
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
