using System.Diagnostics;
using System.Globalization;
using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;
using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// The NuNER experiment (docs/nuner.md): one bidirectional Megalodon encoder is MLM-pretrained; from it, (a) concept-
/// contrastive pretraining on concept annotations built from two CrossNER domains and WNUT-17 train, and (b) the same
/// number of further MLM steps on the same sentences (the MLM-only baseline). Both are fine-tuned few-shot on the third
/// CrossNER domain, which no pretraining stage saw, at several k and seeds; plus full-data WNUT-17 and zero-shot tagging
/// of the held-out domain from its type names.
/// </summary>
internal static class NunerBench
{
    private const string HeldOutDomain = "music";
    private static readonly string[] PretrainingDomains = ["ai", "literature"];

    public static void Run(BenchOptions options, Device device)
    {
        var budget = NunerBudget.ByName(options.Budget).WithOverrides(options);
        ScalarType? matmulType = options.MatmulType;
        string data = Path.Combine(SharedData.Folder(), "data");
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutDir);
        File.Delete(SummaryPath(options.OutDir));
        Log($"device {device}, projections {options.Precision}; {budget}");

        // --- Data: the held-out domain never enters pretraining, not even as MLM text (ConceptCorpusBuilder also drops
        // sentences of other domains whose text occurs in it, and duplicates).
        var corpus = BuildCorpus(data);
        var conceptCorpus = corpus.Sentences;
        var wnutTrain = ConllReader.ReadFile(Path.Combine(data, "wnut17", "wnut17train.conll"));
        var wnutTest = ConllReader.ReadFile(Path.Combine(data, "wnut17", "emerging.test.annotated"));
        var (heldOutPool, heldOutDev, heldOutTest) = HeldOut(data);
        var wikitext = File.ReadLines(Path.Combine(data, "wikitext-2", "valid.txt")).Concat(File.ReadLines(Path.Combine(data, "wikitext-2", "test.txt")))
            .Select(l => l.Trim()).Where(l => l.Length >= 20 && !l.StartsWith('=')).ToList();
        if (budget.WikitextLines is { } lines) wikitext = wikitext.Take(lines).ToList();
        var mlmTexts = wikitext.Concat(conceptCorpus.Select(c => c.Text)).ToList();
        var concepts = conceptCorpus.SelectMany(c => c.Entities.Select(e => e.Concept)).Distinct().Order().ToList();
        Log($"data: concept corpus {conceptCorpus.Count} sentences ({string.Join("+", PretrainingDomains)} all splits, WNUT-17 train), {conceptCorpus.Sum(c => c.Entities.Count)} mentions of {concepts.Count} concepts: {string.Join(", ", concepts)}");
        Log($"data: MLM text {mlmTexts.Count} lines ({wikitext.Count} wikitext-2 valid+test, the rest the concept corpus), {mlmTexts.Sum(t => (long)t.Length):N0} characters; dropped {corpus.DroppedAsHeldOut} sentences whose text the held-out '{HeldOutDomain}' data holds, {corpus.DroppedDuplicates} duplicates");
        Log($"data: held-out pool {heldOutPool.Count} ({HeldOutDomain} train+dev without test sentences), test {heldOutTest.Count}; WNUT-17 train {wnutTrain.Count}, test {wnutTest.Count}");

        // --- Optional: time every kind of step on these shapes and this device, then stop or fit the budget to the time asked for.
        if (options.TimeOnly || options.FitSeconds > 0)
        {
            var work = Workload(budget, heldOutPool, heldOutDev, heldOutTest, wnutTest);
            bool cuda = device.type == DeviceType.CUDA;
            var timing = NunerTiming.Measure(budget, device, matmulType, warmup: cuda ? 3 : 1, timed: cuda ? 5 : 2, mlmTexts, conceptCorpus,
                heldOutPool, wnutTrain, heldOutTest.Where((_, i) => i % 4 == 0).ToList(), Log);
            var before = timing.For(budget, work);
            var table = new ResultTable("nuner-timing", "budget", "MLM steps", "concept steps", "WNUT steps", "few-shot max steps", "MLM ms/step", "concept ms/step",
                "MLM-only ms/step", "few-shot ms/step", "WNUT ms/step", "predict µs/token", "estimate MLM s", "second stage s", "evaluation s", "total s");
            void Row(string name, NunerBudget b, NunerTiming.Estimate e) => table.Add(name, b.MlmSteps, b.ConceptSteps, b.WnutSteps, b.FewShotMaxSteps,
                1000 * timing.MlmStep, 1000 * timing.ConceptStep, 1000 * timing.BaselineStep, 1000 * timing.FewShotStep, 1000 * timing.WnutStep,
                1e6 * timing.PredictToken, Math.Round(e.Mlm), Math.Round(e.Concept + e.Baseline), Math.Round(e.Evaluation), Math.Round(e.Total));
            Row(budget.Name, budget, before);
            if (options.FitSeconds > 0)
            {
                // What is left of the time asked for (counted from the process start), less a 5% margin for what the estimate does not see.
                double left = 0.95 * options.FitSeconds - SecondsSinceStart;
                var fitted = timing.Fit(budget, work, left);
                if (!ReferenceEquals(fitted, budget))
                {
                    Log($"fitted to {left:F0} s (estimate of the budget as given {before.Total:F0} s): {fitted}");
                    Row(budget.Name + " fitted", fitted, timing.For(fitted, work));
                    budget = fitted;
                }
                else Log($"the estimate, {before.Total:F0} s, is within 2% of {left:F0} s: budget kept");
            }
            Emit(table, options.OutDir);
            if (options.TimeOnly) return;
        }

        var stages = new ResultTable("nuner-pretraining", "stage", "steps", "tokens", "seconds", "loss (first 20)", "loss (last 20)");

        // --- Stage 1: MLM (or the MLM encoder of an earlier run with the same budget).
        torch.manual_seed(options.Seed);
        using var mlm = options.Reuse is { } reuse ? EncoderFiles.LoadEncoder(Path.Combine(reuse, "mlm.safetensors"), device) : new BidirectionalEncoder(budget.Config, device);
        mlm.MatmulType = matmulType; // clones, the concept encoder and the classifiers take it over
        long parameters = mlm.parameters().Sum(p => p.numel());
        Log($"encoder: {parameters:N0} parameters (two directions of {mlm.Config.NumLayers} layers, D={mlm.Config.ModelDim}, chunk {mlm.Config.ChunkSize}), features {mlm.FeatureDim}");
        if (options.Reuse is null)
        {
            var mlmResult = MaskedLanguageModelTrainer.Train(mlm, mlmTexts, Settings(budget.MlmSteps, budget.MlmBatch, budget.MlmLearningRate, options.Seed, budget.MlmPieceTokens),
                progress: Reporter("mlm", budget.MlmSteps));
            AddStage(stages, "MLM", mlmResult);
        }
        else Log($"MLM and MLM-only encoders loaded from '{options.Reuse}'");
        EncoderFiles.SaveEncoder(Path.Combine(options.OutDir, "mlm.safetensors"), mlm);

        // --- Stage 2a: concept-contrastive from the MLM encoder (text and concept encoders both start as copies of it).
        using var nuner = mlm.Clone();
        using var conceptEncoder = new ConceptEncoder(mlm);
        var conceptResult = ConceptContrastiveTrainer.Train(nuner, conceptEncoder, conceptCorpus,
            Settings(budget.ConceptSteps, budget.ConceptBatch, budget.ConceptLearningRate, options.Seed + 1, budget.MaxTokens), Reporter("concept", budget.ConceptSteps),
            positiveWeight: budget.PositiveWeight);
        AddStage(stages, $"+ concept-contrastive (positive weight {budget.PositiveWeight})", conceptResult);
        EncoderFiles.SaveEncoder(Path.Combine(options.OutDir, "nuner-text.safetensors"), nuner);
        EncoderFiles.SaveConceptEncoder(Path.Combine(options.OutDir, "nuner-concept.safetensors"), conceptEncoder);

        // --- Stage 2b: the baseline continues MLM for as many steps on the same sentences (same compute, same text, no labels).
        using var baseline = options.Reuse is { } from ? EncoderFiles.LoadEncoder(Path.Combine(from, "mlm-only.safetensors"), device) : mlm.Clone();
        baseline.MatmulType = matmulType;
        if (options.Reuse is null)
        {
            var baselineResult = MaskedLanguageModelTrainer.Train(baseline, conceptCorpus.Select(c => c.Text),
                Settings(budget.ConceptSteps, budget.ConceptBatch, budget.ConceptLearningRate, options.Seed + 1, budget.MaxTokens), progress: Reporter("mlm-more", budget.ConceptSteps));
            AddStage(stages, "+ MLM on the same sentences (baseline)", baselineResult);
        }
        EncoderFiles.SaveEncoder(Path.Combine(options.OutDir, "mlm-only.safetensors"), baseline);
        Emit(stages, options.OutDir);

        var encoders = new (string Name, BidirectionalEncoder Encoder)[] { ("concept", nuner), ("mlm-only", baseline) };

        // --- Few-shot on the held-out domain.
        var labels = NerLabelSet.FromSentences(heldOutPool.Concat(heldOutTest));
        var testWords = Encode(heldOutTest, budget.MaxTokens);
        FewShot(encoders, heldOutPool, heldOutTest, testWords, labels, budget, options.OutDir, "nuner-fewshot", freezeEncoder: false, budget.FineTuneLearningRate);

        // --- Full-data WNUT-17.
        var wnutLabels = NerLabelSet.FromSentences(wnutTrain.Concat(wnutTest));
        var wnutTestWords = Encode(wnutTest, budget.MaxTokens);
        var wnut = new ResultTable("nuner-wnut17", "encoder", "steps", "entity F1", "precision", "recall", "token macro F1", "seconds");
        foreach (var (name, encoder) in encoders)
        {
            var clock = Stopwatch.StartNew();
            var metrics = FineTuneAndEvaluate(encoder, wnutTrain, wnutTest, wnutTestWords, wnutLabels,
                Settings(budget.WnutSteps, budget.WnutBatch, budget.FineTuneLearningRate, options.Seed, budget.MaxTokens), Reporter($"wnut {name}", budget.WnutSteps));
            wnut.Add(name, budget.WnutSteps, Points(metrics.F1), Points(metrics.Precision), Points(metrics.Recall), Points(metrics.TokenMacroF1), Math.Round(clock.Elapsed.TotalSeconds));
            Log($"wnut-17 {name}: entity F1 {Points(metrics.F1):F1}");
        }
        Emit(wnut, options.OutDir);

        // --- Zero-shot on the held-out domain from its readable type names; the threshold is 0.5, and also tuned on the held-out dev split.
        var tagger = new ZeroShotTagger(nuner, conceptEncoder);
        var names = labels.Types.ToDictionary(ConceptNames.Readable, t => t);
        var devWords = Encode(heldOutDev, budget.MaxTokens);
        double tuned = ZeroShotGrid.MaxBy(t => ZeroShot(tagger, heldOutDev, devWords, names, t).F1);
        Log($"zero-shot: threshold {tuned} is best on {HeldOutDomain} dev");
        var zeroShot = new ResultTable("nuner-zeroshot", "threshold", "chosen by", "entity F1", "precision", "recall", "token macro F1");
        foreach (var (threshold, how) in new[] { (0.5, "fixed"), (tuned, $"{HeldOutDomain} dev") })
        {
            var metrics = ZeroShot(tagger, heldOutTest, testWords, names, threshold);
            zeroShot.Add(threshold, how, Points(metrics.F1), Points(metrics.Precision), Points(metrics.Recall), Points(metrics.TokenMacroF1));
        }
        Log($"zero-shot concepts: {string.Join(", ", names.Keys)}");
        Emit(zeroShot, options.OutDir);
        Log($"total {total.Elapsed.TotalMinutes:F1} min");
    }

    /// <summary>
    /// The linear-probe variant (mode <c>nuner-probe</c>): the concept-pretrained and MLM-only text encoders of a full run
    /// (<c>--reuse DIR</c>: nuner-text.safetensors, mlm-only.safetensors) stay frozen and only the linear head is trained on the
    /// same few-shot samples, so the scores measure what the pretrained features already separate.
    /// </summary>
    public static void RunProbe(BenchOptions options, Device device)
    {
        string reuse = options.Reuse ?? throw new ArgumentException("nuner-probe needs --reuse DIR (a full run's output folder).");
        var budget = NunerBudget.Full;
        string data = Path.Combine(SharedData.Folder(), "data");
        var (heldOutPool, _, heldOutTest) = HeldOut(data);
        using var nuner = EncoderFiles.LoadEncoder(Path.Combine(reuse, "nuner-text.safetensors"), device);
        using var baseline = EncoderFiles.LoadEncoder(Path.Combine(reuse, "mlm-only.safetensors"), device);
        nuner.MatmulType = baseline.MatmulType = options.MatmulType;
        var labels = NerLabelSet.FromSentences(heldOutPool.Concat(heldOutTest));
        FewShot([("concept", nuner), ("mlm-only", baseline)], heldOutPool, heldOutTest, Encode(heldOutTest, budget.MaxTokens), labels, budget,
            options.OutDir, "nuner-probe", freezeEncoder: true, ProbeLearningRate);
    }

    /// <summary>Learning rate of the head alone (a linear probe tolerates more than the whole encoder).</summary>
    private const double ProbeLearningRate = 1e-2;

    /// <summary>Fine-tunes every encoder on k-shot samples of the pool (k and seeds from the budget), scores the test set, writes the per-run and summary tables.</summary>
    private static void FewShot(IReadOnlyList<(string Name, BidirectionalEncoder Encoder)> encoders, IReadOnlyList<NerSentence> pool, IReadOnlyList<NerSentence> test,
        IReadOnlyList<EncodedWords> testWords, NerLabelSet labels, NunerBudget budget, string outDir, string tableName, bool freezeEncoder, double learningRate)
    {
        var runs = new ResultTable(tableName + "-runs", "k", "seed", "encoder", "sentences", "steps", "entity F1", "precision", "recall", "token macro F1", "seconds");
        var scores = new Dictionary<(int K, string Encoder), List<NerMetrics>>();
        foreach (int k in budget.Shots)
            foreach (int seed in budget.Seeds)
            {
                var sample = FewShotSampler.Sample(pool, k, seed);
                int steps = budget.FewShotSteps(sample.Sentences.Count);
                foreach (var (name, encoder) in encoders)
                {
                    var clock = Stopwatch.StartNew();
                    var metrics = FineTuneAndEvaluate(encoder, sample.Sentences, test, testWords, labels,
                        Settings(steps, budget.FineTuneBatch, learningRate, seed, budget.MaxTokens), freezeEncoder: freezeEncoder);
                    runs.Add(k, seed, name, sample.Sentences.Count, steps, Points(metrics.F1), Points(metrics.Precision), Points(metrics.Recall), Points(metrics.TokenMacroF1), Math.Round(clock.Elapsed.TotalSeconds));
                    (scores.TryGetValue((k, name), out var list) ? list : scores[(k, name)] = []).Add(metrics);
                    Log($"{tableName} k={k} seed={seed} {name}: {sample.Sentences.Count} sentences, {steps} steps, entity F1 {Points(metrics.F1):F1}, token macro F1 {Points(metrics.TokenMacroF1):F1} ({clock.Elapsed.TotalSeconds:F0} s)");
                }
            }
        Emit(runs, outDir);
        var summary = new ResultTable(tableName, "k", "concept entity F1", "MLM-only entity F1", "difference", "concept token macro F1", "MLM-only token macro F1");
        foreach (int k in budget.Shots)
        {
            var c = scores[(k, "concept")];
            var m = scores[(k, "mlm-only")];
            summary.Add(k, MeanStd(c.Select(x => x.F1)), MeanStd(m.Select(x => x.F1)), Points(c.Average(x => x.F1) - m.Average(x => x.F1)),
                MeanStd(c.Select(x => x.TokenMacroF1)), MeanStd(m.Select(x => x.TokenMacroF1)));
        }
        Emit(summary, outDir);
    }

    /// <summary>
    /// The loss-weight check (mode <c>nuner-loss</c>): from the MLM encoder of a full run (<c>--reuse DIR</c>), concept-contrastive
    /// training of <c>--steps</c> steps with positive weight 1 (the paper's plain mean) and 20, each scored by zero-shot tagging of
    /// the first 300 WNUT-17 dev sentences (types seen in the corpus, sentences not) at several thresholds.
    /// </summary>
    public static void RunLossCheck(BenchOptions options, Device device)
    {
        string reuse = options.Reuse ?? throw new ArgumentException("nuner-loss needs --reuse DIR (a full run's output folder with mlm.safetensors).");
        string data = Path.Combine(SharedData.Folder(), "data");
        int steps = options.Steps > 0 ? options.Steps : 150;
        var corpus = BuildCorpus(data);
        var dev = ConllReader.ReadFile(Path.Combine(data, "wnut17", "emerging.dev.conll")).Take(300).ToList();
        var devWords = Encode(dev, NunerBudget.Full.MaxTokens);
        var names = NerLabelSet.FromSentences(dev).Types.ToDictionary(ConceptNames.Readable, t => t);
        var table = new ResultTable("nuner-loss-check", "positive weight", "steps", "loss (first 20)", "loss (last 20)", "threshold", "entity F1", "precision", "recall", "predicted entities");
        foreach (double weight in new[] { 1.0, 20.0 })
        {
            using var mlm = EncoderFiles.LoadEncoder(Path.Combine(reuse, "mlm.safetensors"), device);
            mlm.MatmulType = options.MatmulType;
            using var text = mlm.Clone();
            using var concepts = new ConceptEncoder(mlm);
            var result = ConceptContrastiveTrainer.Train(text, concepts, corpus.Sentences, Settings(steps, 16, 1e-3, 2, NunerBudget.Full.MaxTokens),
                Reporter($"concept w={weight}", steps), positiveWeight: weight);
            var tagger = new ZeroShotTagger(text, concepts);
            foreach (double threshold in new[] { 0.3, 0.5, 0.7, 0.9 })
            {
                var metrics = ZeroShot(tagger, dev, devWords, names, threshold);
                table.Add(weight, steps, Math.Round(result.MeanOfFirst(20), 4), Math.Round(result.MeanOfLast(20), 4), threshold,
                    Points(metrics.F1), Points(metrics.Precision), Points(metrics.Recall), metrics.PredictedEntities);
            }
        }
        Emit(table, options.OutDir);
    }

    /// <summary>The concept corpus: the pretraining domains (all splits) and WNUT-17 train, the held-out domain's text dropped.</summary>
    private static ConceptCorpus BuildCorpus(string data) => ConceptCorpusBuilder.Build(new ConceptCorpusOptions
    {
        CrossNerFolder = Path.Combine(data, "crossner"),
        Domains = PretrainingDomains,
        HeldOutDomain = HeldOutDomain,
        WnutTrainFile = Path.Combine(data, "wnut17", "wnut17train.conll"),
    });

    /// <summary>
    /// The held-out domain's few-shot pool (train + dev), dev and test. Music train and dev repeat some test sentences: they
    /// are kept out of the pool and dev so that no test sentence is trained or tuned on.
    /// </summary>
    private static (List<NerSentence> Pool, List<NerSentence> Dev, IReadOnlyList<NerSentence> Test) HeldOut(string data)
    {
        var test = Splits(data, HeldOutDomain, "test");
        var testTexts = test.Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
        return (Splits(data, HeldOutDomain, "train", "dev").Where(s => !testTexts.Contains(s.Text)).ToList(),
            Splits(data, HeldOutDomain, "dev").Where(s => !testTexts.Contains(s.Text)).ToList(), test);
    }

    internal static IReadOnlyList<NerSentence> Splits(string data, string domain, params string[] splits) =>
        splits.SelectMany(s => ConllReader.ReadFile(Path.Combine(data, "crossner", domain, s + ".txt"))).ToList();

    internal static List<EncodedWords> Encode(IReadOnlyList<NerSentence> sentences, int maxTokens) =>
        sentences.Select(s => EncodedWords.FromWords(s.Words, maxTokens)).ToList();

    internal static EncoderTrainingSettings Settings(int steps, int batch, double learningRate, int seed, int maxTokens) => new()
    {
        Steps = steps,
        BatchSize = batch,
        LearningRate = learningRate,
        WarmupSteps = Math.Max(1, steps / 10),
        Seed = seed,
        MaxTokens = maxTokens,
    };

    private static NerMetrics FineTuneAndEvaluate(BidirectionalEncoder encoder, IReadOnlyList<NerSentence> train, IReadOnlyList<NerSentence> test,
        IReadOnlyList<EncodedWords> testWords, NerLabelSet labels, EncoderTrainingSettings settings, IProgress<TrainingProgress>? progress = null, bool freezeEncoder = false)
    {
        torch.manual_seed(settings.Seed);
        using var classifier = new TokenClassifier(encoder, labels.Count);
        var data = train.Select(s => (EncodedWords.FromWords(s.Words, settings.MaxTokens), labels.Encode(s))).ToList();
        TokenClassifierTrainer.Train(classifier, data, settings, freezeEncoder, progress);
        var predicted = classifier.Predict(testWords);
        return NerEvaluator.Evaluate(test, predicted.Select(p => (IReadOnlyList<string>)labels.Decode(p)).ToList());
    }

    private static NerMetrics ZeroShot(ZeroShotTagger tagger, IReadOnlyList<NerSentence> gold, IReadOnlyList<EncodedWords> words, Dictionary<string, string> names, double threshold)
    {
        var tags = tagger.Tag(words, names.Keys.ToList(), threshold);
        // Back from readable concept names to the data's type names.
        var labels = tags.Select(s => (IReadOnlyList<string>)s.Select(l => l == "O" ? l : l[..2] + names[l[2..]]).ToArray()).ToList();
        return NerEvaluator.Evaluate(gold, labels);
    }

    private static void AddStage(ResultTable table, string stage, EncoderTrainingResult result) =>
        table.Add(stage, result.Losses.Count, result.Tokens, Math.Round(result.Elapsed.TotalSeconds), Math.Round(result.MeanOfFirst(20), 3), Math.Round(result.MeanOfLast(20), 3));

    internal static double Points(double ratio) => Math.Round(100 * ratio, 1);

    internal static string MeanStd(IEnumerable<double> ratios)
    {
        var values = ratios.Select(r => 100 * r).ToArray();
        double mean = values.Average();
        double std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F1} ± {std:F1}");
    }

    /// <summary>The markdown file that collects every table of a run (the GPU script copies it back).</summary>
    private static string SummaryPath(string outDir) => Path.Combine(outDir, "nuner-summary.md");

    /// <summary>Prints and saves <paramref name="table"/> and appends it to the run's summary.</summary>
    private static void Emit(ResultTable table, string outDir)
    {
        table.Emit(outDir);
        using (var summary = File.AppendText(SummaryPath(outDir)))
        {
            summary.WriteLine($"## {table.Name}");
            summary.WriteLine();
            table.Print(summary);
        }
        Console.Out.Flush();
    }

    /// <summary>The sample sizes and sentences the evaluations of a run will score, for <see cref="NunerTiming"/>.</summary>
    private static NunerTiming.Workload Workload(NunerBudget budget, IReadOnlyList<NerSentence> pool, IReadOnlyList<NerSentence> dev,
        IReadOnlyList<NerSentence> test, IReadOnlyList<NerSentence> wnutTest)
    {
        long Tokens(IReadOnlyList<NerSentence> sentences) => Encode(sentences, budget.MaxTokens).Sum(w => (long)w.Ids.Length);
        var samples = budget.Shots.SelectMany(k => budget.Seeds.Select(seed => FewShotSampler.Sample(pool, k, seed).Sentences.Count)).ToList();
        return new NunerTiming.Workload(samples, Tokens(test), Tokens(dev), Tokens(wnutTest), ZeroShotGrid.Length);
    }

    /// <summary>The zero-shot thresholds tried on the held-out dev split.</summary>
    private static readonly double[] ZeroShotGrid = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>When the process started: every log line and progress line says how long the run has taken so far.</summary>
    private static readonly DateTime ProcessStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>Seconds since the process started (native loading and device start-up included).</summary>
    private static double SecondsSinceStart => (DateTime.UtcNow - ProcessStart).TotalSeconds;

    /// <summary>Writes a time-stamped line and flushes it (the GPU run's output goes to a file).</summary>
    internal static void Log(string message)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss} +{SecondsSinceStart:F0}s] {message}"));
        Console.Out.Flush();
    }

    /// <summary>A progress line every tenth of the steps (and at the last one).</summary>
    internal static IProgress<TrainingProgress> Reporter(string name, int steps) => new StepReporter(name, Math.Max(1, steps / 10));

    private sealed class StepReporter(string name, long every) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.Step % every == 0 || p.Step == p.TotalSteps)
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}: step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} lr {p.LearningRate:E2} {p.TokensPerSecond:F0} tok/s, {p.Elapsed.TotalSeconds:F0} s in, {p.EstimatedRemaining.TotalSeconds:F0} s left"));
        }
    }
}
