using System.Diagnostics;
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
/// replay, and an infinite schedule; every model has the same shape and seed, and every final loss is measured on the
/// same held-out windows. Parts can run in separate processes (d0 and d0-inf first, then weak and strong), and a
/// finished row is never trained again, so a crashed run resumes where it stopped.
/// </summary>
internal sealed class ContinualExperiment
{
    private readonly ContinualExperimentSettings _settings;
    private readonly MLContext _ml;
    private readonly ModelTokenizer _tokenizer = ModelTokenizer.ByteLevel();
    private readonly Lazy<ContinualDomain> _d0 = new(ContinualDomain.StateOfTheUnion);
    private readonly Lazy<ContinualDomain> _weak = new(ContinualDomain.WikiText);
    private readonly Lazy<ContinualDomain> _strong = new(ContinualDomain.LinuxKernel);
    private readonly Dictionary<string, ITokenBatchSource> _evaluationWindows = [];

    private ContinualExperiment(ContinualExperimentSettings settings)
    {
        _settings = settings;
        _ml = new MLContext(settings.Seed);
    }

    private string RowsFolder => Path.Combine(_settings.OutDir, "rows");
    private string ModelsFolder => Path.Combine(_settings.OutDir, "models");
    private string D0ModelPath => Path.Combine(ModelsFolder, "d0.zip");
    private string D0InfiniteFolder => Path.Combine(ModelsFolder, "d0-inf");

    /// <summary>Runs the part of the experiment named by <c>--part</c>.</summary>
    public static void Run(BenchOptions options)
    {
        var settings = ContinualExperimentSettings.From(options);
        var experiment = new ContinualExperiment(settings);
        string[] parts = options.Part == "all" ? ["d0", "d0-inf", "weak", "strong", "report"] : [options.Part];
        foreach (var part in parts)
        {
            switch (part)
            {
                case "d0": experiment.RunD0(); break;
                case "d0-inf": experiment.RunD0Infinite(); break;
                case "weak": experiment.RunShift("weak", experiment._weak.Value, replayOfPapersChoice: 0.05); break;
                case "strong": experiment.RunShift("strong", experiment._strong.Value, replayOfPapersChoice: 0.25); break;
                case "report": ContinualExperimentReport.Write(settings, experiment.RowsFolder); break;
                default: throw new ArgumentException($"Unknown part '{part}': all, d0, d0-inf, weak, strong or report.");
            }
        }
    }

    /// <summary>D0 only: first pre-training on sotu with warm-up 1% and cosine to 0.1 × max, the base of the continual rows.</summary>
    private void RunD0()
    {
        var d0 = _d0.Value;
        Describe(d0);
        if (ContinualRowResult.TryLoad(RowsFolder, "d0") is not null && File.Exists(D0ModelPath)) { Console.WriteLine("d0: done before, skipped"); return; }
        var schedule = RewarmCosineSchedule.FromFraction(_settings.Steps, _settings.MaxLearningRate, RewarmCosineSchedule.DefaultWarmupFraction,
            _settings.MaxLearningRate * RewarmCosineSchedule.DefaultMinRatio);
        var (model, seconds) = Pretrain("d0", Documents(d0.Train), Documents(d0.Validation), schedule, _settings.Steps, checkpointFolder: null);
        using (model)
        {
            Directory.CreateDirectory(ModelsFolder);
            _ml.Model.Save(model, Documents(d0.Train).Schema, D0ModelPath);
            SaveBaseRow("d0", "D0 only (cosine)", model, seconds);
        }
    }

    /// <summary>
    /// D0 with the Cosine-Inf schedule and no anneal (warm-up 1%, cooldown to 0.55 × max by 60% of the steps, then
    /// constant): its last checkpoint, taken in the constant phase, is where the infinite-schedule rows continue.
    /// </summary>
    private void RunD0Infinite()
    {
        var d0 = _d0.Value;
        if (ContinualRowResult.TryLoad(RowsFolder, "d0-inf") is not null) { Console.WriteLine("d0-inf: done before, skipped"); return; }
        if (Directory.Exists(D0InfiniteFolder)) Directory.Delete(D0InfiniteFolder, recursive: true);
        var schedule = InfiniteSchedule.FromFractions(CooldownShape.Cosine, _settings.Steps, _settings.MaxLearningRate,
            ContinualScheduleSettings.DefaultConstantRatio * _settings.MaxLearningRate, _settings.MaxLearningRate * RewarmCosineSchedule.DefaultMinRatio,
            annealStartFraction: null);
        var (model, seconds) = Pretrain("d0-inf", Documents(d0.Train), Documents(d0.Validation), schedule, _settings.Steps, D0InfiniteFolder);
        using (model)
            SaveBaseRow("d0-inf", "D0 only (Cosine-Inf, constant phase, not annealed)", model, seconds);
    }

    /// <summary>The rows of one shift: D1 only, union, constant, re-warm + re-decay at four replay rates, infinite.</summary>
    private void RunShift(string shift, ContinualDomain d1, double replayOfPapersChoice)
    {
        var d0 = _d0.Value;
        Describe(d1);
        if (!File.Exists(D0ModelPath))
            throw new FileNotFoundException($"The D0 model '{D0ModelPath}' is missing: run --part d0 first.", D0ModelPath);
        var trainD0 = Documents(d0.Train);
        var trainD1 = Documents(d1.Train);

        Row($"{shift}-d1", "D1 only", shift, () =>
        {
            var (model, seconds) = Pretrain($"{shift}-d1", trainD1, Documents(d1.Validation), BaseSchedule(_settings.Steps), _settings.Steps, null);
            return (model, seconds, _settings.TokensPerBudget, 0L, (IReadOnlyList<double[]>)[]);
        }, d1);

        Row($"{shift}-union", "Union D0+D1 from scratch (2 budgets)", shift, () =>
        {
            // Both datasets' budgets, in equal shares: D1's documents are repeated until its tokens match D0's, so
            // randomly drawn windows come from each about half the time, like the paper's 300B + 300B union.
            int repeats = Math.Max(1, (int)Math.Round((double)d0.TrainBytes / d1.TrainBytes));
            var union = Documents([.. d0.Train, .. Enumerable.Repeat(d1.Train, repeats).SelectMany(d => d)]);
            Console.WriteLine($"  union: D1 repeated {repeats}x to balance D0's {d0.TrainBytes:N0} bytes against D1's {d1.TrainBytes:N0}");
            long steps = 2 * _settings.Steps;
            var (model, seconds) = Pretrain($"{shift}-union", union, Documents(d0.Validation), BaseSchedule(steps), steps, null);
            return (model, seconds, 2 * _settings.TokensPerBudget, 0L, (IReadOnlyList<double[]>)[]);
        }, d1);

        using var d0Model = (MegalodonLanguageModelTransformer)_ml.Model.Load(D0ModelPath, out _);
        Row($"{shift}-constant", "Continual, constant LR (min), 0% replay", shift,
            () => Continue($"{shift}-constant", d0Model, null, trainD1, trainD0, d1, 0, ContinualScheduleKind.Constant, null), d1);
        foreach (var replay in new[] { 0.0, 0.01, 0.05, 0.25 })
        {
            string percent = (replay * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
            string chosen = replay == replayOfPapersChoice ? " (paper's choice)" : "";
            Row($"{shift}-rewarm-{percent}", $"Continual, re-warm + re-decay, {percent}% replay{chosen}", shift,
                () => Continue($"{shift}-rewarm-{percent}", d0Model, null, trainD1, trainD0, d1, replay, ContinualScheduleKind.ReWarmReDecay, null), d1);
        }

        // The infinite schedule continues the un-annealed D0 run without re-warming: constant 0.55 × max, then the
        // exponential anneal to the minimum over the last 15% (the paper's anneal start, 85% of the steps).
        double constant = ContinualScheduleSettings.DefaultConstantRatio * _settings.MaxLearningRate;
        var infinite = new InfiniteSchedule(CooldownShape.Cosine, constant, constant, _settings.MaxLearningRate * RewarmCosineSchedule.DefaultMinRatio,
            warmupSteps: 0, cooldownEndStep: 1, annealStartStep: (long)Math.Round(0.85 * _settings.Steps), annealEndStep: _settings.Steps);
        string infPercent = (replayOfPapersChoice * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        Row($"{shift}-infinite", $"Continual, Cosine-Inf (no re-warm, anneal last 15%), {infPercent}% replay", shift,
            () => Continue($"{shift}-infinite", null, D0InfiniteFolder, trainD1, trainD0, d1, replayOfPapersChoice, ContinualScheduleKind.CosineInf, infinite), d1);
    }

    private LearningRateSchedule BaseSchedule(long steps) => RewarmCosineSchedule.FromFraction(steps, _settings.MaxLearningRate,
        RewarmCosineSchedule.DefaultWarmupFraction, _settings.MaxLearningRate * RewarmCosineSchedule.DefaultMinRatio);

    private (MegalodonLanguageModelTransformer Model, double Seconds) Pretrain(
        string id, IDataView train, IDataView validation, LearningRateSchedule schedule, long steps, string? checkpointFolder)
    {
        Console.WriteLine($"{id}: pretraining {steps} steps, {schedule}");
        var estimator = _ml.Transforms.Megalodon().Pretrain(new MegalodonPretrainEstimator.Options
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
            CheckpointFolder = checkpointFolder,
            CheckpointInterval = 0,
            Seed = _settings.Seed,
            Threads = _settings.Threads,
            Progress = new ProgressPrinter(id, Math.Max(1, steps / 20)),
        });
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(train);
        return (model, clock.Elapsed.TotalSeconds);
    }

    private (MegalodonLanguageModelTransformer, double, long, long, IReadOnlyList<double[]>) Continue(
        string id, MegalodonLanguageModelTransformer? baseModel, string? baseCheckpointFolder, IDataView trainD1, IDataView trainD0,
        ContinualDomain d1, double replay, ContinualScheduleKind kind, LearningRateSchedule? schedule)
    {
        Console.WriteLine($"{id}: continual, {kind}, replay {replay:P0}");
        var estimator = _ml.Transforms.Megalodon().ContinualPretrain(new ContinualPretrainEstimator.Options
        {
            BaseModel = baseModel,
            BaseCheckpointFolder = baseCheckpointFolder,
            // The infinite rows keep the optimizer state: they continue one run without a task boundary.
            ResetOptimizerState = baseCheckpointFolder is null,
            ReplayData = replay > 0 ? trainD0 : null,
            ReplayFraction = replay,
            ScheduleKind = kind,
            Schedule = schedule,
            ScheduleSettings = new ContinualScheduleSettings { MaxLearningRate = _settings.MaxLearningRate },
            ValidationSets = new Dictionary<string, IDataView> { ["old"] = Documents(_d0.Value.Validation), ["new"] = Documents(d1.Validation) },
            EvalInterval = (int)Math.Max(1, _settings.Steps / 10),
            MaxSteps = _settings.Steps,
            SequenceLength = _settings.SequenceLength,
            BatchSize = _settings.BatchSize,
            Seed = _settings.Seed,
            Threads = _settings.Threads,
            Progress = new ProgressPrinter(id, Math.Max(1, _settings.Steps / 20)),
        });
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(trainD1);
        double seconds = clock.Elapsed.TotalSeconds;
        var curve = model.ContinualReport!.Evaluations.Select(e => new[] { e.Step, e.Losses["old"], e.Losses["new"] }).ToList();
        long replayWindows = ReplayTokenBatchSource.ReplayedAfter(_settings.Steps * _settings.BatchSize, replay);
        return (model, seconds, _settings.TokensPerBudget, replayWindows * _settings.SequenceLength, curve);
    }

    private void Row(string id, string name, string shift,
        Func<(MegalodonLanguageModelTransformer Model, double Seconds, long Tokens, long ReplayTokens, IReadOnlyList<double[]> Curve)> train, ContinualDomain d1)
    {
        if (ContinualRowResult.TryLoad(RowsFolder, id) is { } done)
        {
            Console.WriteLine($"{id}: done before (D0 {done.D0Loss:F4}, D1 {done.D1Loss:F4}), skipped");
            return;
        }
        var (model, seconds, tokens, replayTokens, curve) = train();
        using (model)
        {
            var row = new ContinualRowResult
            {
                Id = id, Name = name, Shift = shift,
                D0Loss = FinalLoss(model, _d0.Value), D1Loss = FinalLoss(model, d1),
                Steps = model.TrainingResult?.Steps ?? 0, Tokens = tokens, ReplayTokens = replayTokens, Seconds = seconds, Curve = curve,
            };
            row.Save(RowsFolder);
            Console.WriteLine($"{id}: D0 {row.D0Loss:F4}, D1 {row.D1Loss:F4}, mean {row.Mean:F4} ({seconds / 60:F1} min)");
        }
    }

    private void SaveBaseRow(string id, string name, MegalodonLanguageModelTransformer model, double seconds)
    {
        var row = new ContinualRowResult
        {
            Id = id, Name = name, Shift = "base",
            D0Loss = FinalLoss(model, _d0.Value), WeakLoss = FinalLoss(model, _weak.Value), StrongLoss = FinalLoss(model, _strong.Value),
            Steps = model.TrainingResult?.Steps ?? 0, Tokens = _settings.TokensPerBudget, Seconds = seconds,
        };
        row.Save(RowsFolder);
        Console.WriteLine($"{id}: D0 {row.D0Loss:F4}, wikitext-2 {row.WeakLoss:F4}, linux-kernel {row.StrongLoss:F4} ({seconds / 60:F1} min)");
    }

    /// <summary>
    /// The final validation loss of <paramref name="model"/> on <paramref name="domain"/>: the same
    /// <see cref="ContinualExperimentSettings.EvalBatches"/> batches of windows drawn (seeded) from the whole held-out
    /// set for every row, so rows differ only by their model.
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

    private IDataView Documents(IEnumerable<string> documents) =>
        _ml.Data.LoadFromEnumerable(documents.Select(d => new TextRow { Text = d }).ToList());

    private static void Describe(ContinualDomain domain) =>
        Console.WriteLine($"{domain.Name}: {domain.Train.Count} training documents ({domain.TrainBytes:N0} bytes), {domain.Validation.Count} validation documents ({domain.ValidationBytes:N0} bytes)");

    /// <summary>A document row of the text column the estimators read.</summary>
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
