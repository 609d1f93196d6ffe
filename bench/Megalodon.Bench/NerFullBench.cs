using System.Diagnostics;
using System.Globalization;
using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Ner;
using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// The full-data NER benchmark (mode <c>ner-full</c>, docs/nuner.md): per encoder size, one MLM-pretrained encoder
/// (wikitext-2 valid+test and the training and dev text of every data set, never a test sentence); per data set
/// (WNUT-17, CrossNER ai, literature, music), fine-tuning on the whole training split with entity F1 on dev checked every
/// epoch (early stopping, best weights kept), train and dev F1 per epoch, test F1 of the kept weights, and the
/// memorisation baseline on the same test set by the same scorer.
/// </summary>
/// <remarks>
/// Resumable: the MLM encoder is saved as <c>mlm-PRESET.safetensors</c> and reused when present; a finished
/// (data set, encoder) pair leaves <c>ner-full-DATASET-PRESET.csv</c> and is skipped on a rerun; every epoch's row is
/// appended to <c>ner-full-epochs.csv</c> as soon as it is measured.
/// </remarks>
internal static class NerFullBench
{
    private static readonly string[] AllDatasets = ["wnut17", "music", "ai", "literature"];

    /// <summary>Fewest fine-tuning steps: a small training split (CrossNER's 100-200 sentences) gets more epochs, not fewer updates.</summary>
    private const int MinSteps = 400;

    /// <summary>Fewest steps between dev checks: on a small split one check per epoch would cost more than the training.</summary>
    private const int MinCheckInterval = 25;

    /// <summary>Train sentences scored for the per-epoch train F1 (a fixed sample; scoring all would cost a third of an epoch).</summary>
    private const int TrainScoreSentences = 500;

    public static void Run(BenchOptions options, Device device)
    {
        bool quick = options.Budget == "quick";
        var datasets = options.Datasets ?? AllDatasets;
        var presets = (options.Preset ?? "tiny").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int mlmSteps = options.MlmSteps > 0 ? options.MlmSteps : quick ? 4 : 300;
        int epochs = options.Epochs > 0 ? options.Epochs : quick ? 1 : 8;
        int batch = options.Batch > 0 ? options.Batch : quick ? 4 : 16;
        int patience = options.Patience;
        double learningRate = options.LearningRate > 0 ? options.LearningRate : 2e-3;
        const int maxTokens = 256;
        Directory.CreateDirectory(options.OutDir);
        Log($"ner-full: data sets {string.Join(",", datasets)}, encoders {string.Join(",", presets)}, MLM {mlmSteps} steps, at most {epochs} epochs of batch {batch}, peak lr {learningRate}, patience {patience}, seed {options.Seed}{(quick ? ", quick budget (small slices of each split)" : "")}");

        var splits = datasets.ToDictionary(d => d, d => Load(d, quick));
        foreach (var preset in presets)
        {
            var config = preset switch
            {
                "tiny" => EncoderPresets.Tiny(),
                "small" => EncoderPresets.Small(),
                "base" => EncoderPresets.Base(),
                _ => throw new ArgumentException($"ner-full: --preset takes tiny, small or base (got '{preset}')."),
            };
            var (encoder, mlmSeconds) = PretrainedEncoder(options, preset, config, device, mlmSteps, quick);
            using (encoder)
                foreach (var dataset in datasets)
                {
                    string done = Path.Combine(options.OutDir, $"ner-full-{dataset}-{preset}.csv");
                    if (File.Exists(done))
                    {
                        Log($"{dataset}/{preset}: finished in an earlier run ({done}); skipped");
                        continue;
                    }
                    RunOne(options, dataset, preset, splits[dataset], encoder, mlmSeconds, epochs, batch, learningRate, patience, maxTokens, quick);
                }
        }
        Log("ner-full: done");
    }

    private static void RunOne(BenchOptions options, string dataset, string preset, (IReadOnlyList<NerSentence> Train, IReadOnlyList<NerSentence> Dev, IReadOnlyList<NerSentence> Test) data,
        BidirectionalEncoder encoder, double mlmSeconds, int epochs, int batch, double learningRate, int patience, int maxTokens, bool quick)
    {
        var clock = Stopwatch.StartNew();
        var (train, dev, test) = data;
        var labels = NerLabelSet.FromSentences(train.Concat(dev).Concat(test));
        var memorisation = new MemorisationBaseline(train);
        double memoDev = memorisation.Evaluate(dev).F1, memoTest = memorisation.Evaluate(test).F1;
        Log($"{dataset}/{preset}: train {train.Count}, dev {dev.Count}, test {test.Count} sentences, {labels.Types.Count} types; memorisation F1 dev {Points(memoDev)} test {Points(memoTest)}");

        torch.manual_seed(options.Seed);
        using var classifier = new TokenClassifier(encoder, labels.Count);
        var examples = train.SelectMany(s => WordWindows.TrainingPieces(s.Words, labels.Encode(s), maxTokens)).ToList();
        var trainSample = train.Where((_, i) => i % Math.Max(1, train.Count / TrainScoreSentences) == 0).Take(TrainScoreSentences).ToList();
        int stepsPerEpoch = (int)Math.Ceiling((double)examples.Count / Math.Min(batch, examples.Count));
        var settings = new EncoderTrainingSettings
        {
            Steps = quick ? epochs * stepsPerEpoch : Math.Max(epochs * stepsPerEpoch, MinSteps),
            BatchSize = batch,
            LearningRate = learningRate,
            WarmupSteps = Math.Max(1, stepsPerEpoch / 2),
            Seed = options.Seed,
            MaxTokens = maxTokens,
        };
        string epochsCsv = Path.Combine(options.OutDir, "ner-full-epochs.csv");
        if (!File.Exists(epochsCsv)) File.WriteAllText(epochsCsv, "dataset,encoder,epoch,step,train loss,train F1,dev F1,best,seconds\n");
        double trainF1 = 0;
        var validation = new TaggerValidation
        {
            Patience = patience,
            IntervalSteps = quick ? stepsPerEpoch : Math.Max(stepsPerEpoch, MinCheckInterval),
            Score = c =>
            {
                trainF1 = TaggerLabels.Evaluate(c, trainSample, labels.Labels, maxTokens).F1;
                return TaggerLabels.Evaluate(c, dev, labels.Labels, maxTokens).F1;
            },
            OnCheck = check =>
            {
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"{dataset}/{preset}: epoch {check.Epoch:F2} step {check.Step} train loss {check.TrainingLoss:F3} train F1 {Points(trainF1)} dev F1 {Points(check.Score)}{(check.IsBest ? " (best)" : "")} {clock.Elapsed.TotalSeconds:F0} s, load {LoadAverage()}"));
                File.AppendAllText(epochsCsv, string.Create(CultureInfo.InvariantCulture,
                    $"{dataset},{preset},{check.Epoch:F2},{check.Step},{check.TrainingLoss:F4},{Points(trainF1)},{Points(check.Score)},{check.IsBest},{clock.Elapsed.TotalSeconds:F0}\n"));
            },
        };
        var result = TokenClassifierTrainer.Train(classifier, examples, settings, progress: new ProgressPrinter($"{dataset}/{preset}", Math.Max(1, stepsPerEpoch / 4)), validation: validation);
        var metrics = TaggerLabels.Evaluate(classifier, test, labels.Labels, maxTokens);
        double seconds = clock.Elapsed.TotalSeconds;
        // Control: the same weights read word by word (best label, then BIO repair), the decoding before issue 15's change.
        var wordByWord = TaggerLabels.Evaluate(classifier, test, labels.Labels, maxTokens, decoding: TagDecoding.BestLabelThenRepair);
        var devWordByWord = TaggerLabels.Evaluate(classifier, dev, labels.Labels, maxTokens, decoding: TagDecoding.BestLabelThenRepair);
        var best = result.Best!;
        var table = new ResultTable($"ner-full-{dataset}-{preset}", "data set", "encoder", "train sentences", "steps run", "best epoch", "dev F1 (best)",
            "test F1", "precision", "recall", "memorisation test F1", "over memorisation", "dev F1 word by word", "test F1 word by word",
            "fine-tune + eval s", "MLM s (shared)", "stopped early", "peak lr", "load average");
        table.Add(dataset, preset, train.Count, result.Losses.Count, Math.Round(best.Epoch, 2), Points(best.Score), Points(metrics.F1), Points(metrics.Precision),
            Points(metrics.Recall), Points(memoTest), Math.Round(100 * (metrics.F1 - memoTest), 1), Points(devWordByWord.F1), Points(wordByWord.F1),
            Math.Round(seconds), Math.Round(mlmSeconds), result.StoppedEarly, learningRate, LoadAverage());
        table.Print(Console.Out);
        table.WriteCsv(options.OutDir);
        Log($"{dataset}/{preset}: test F1 {Points(metrics.F1)} vs memorisation {Points(memoTest)} ({100 * (metrics.F1 - memoTest):+0.0;-0.0} points), {seconds:F0} s + {mlmSeconds:F0} s MLM; word-by-word decoding: dev {Points(devWordByWord.F1)} test {Points(wordByWord.F1)}; load average {LoadAverage()}");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The MLM-pretrained encoder of this preset: loaded when an earlier run saved it, else trained and saved.</summary>
    private static (BidirectionalEncoder Encoder, double Seconds) PretrainedEncoder(BenchOptions options, string preset, MegalodonConfig config, Device device, int steps, bool quick)
    {
        string path = Path.Combine(options.OutDir, $"mlm-{preset}.safetensors");
        string secondsPath = path + ".seconds";
        if (File.Exists(path))
        {
            Log($"{preset}: MLM encoder loaded from {path}");
            double seconds = File.Exists(secondsPath) ? double.Parse(File.ReadAllText(secondsPath), CultureInfo.InvariantCulture) : double.NaN;
            return (EncoderFiles.LoadEncoder(path, device), seconds);
        }
        var texts = MlmTexts(quick);
        torch.manual_seed(options.Seed);
        var encoder = new BidirectionalEncoder(config, device);
        Log($"{preset}: {encoder.parameters().Sum(p => p.numel()):N0} parameters; MLM on {texts.Count} lines ({texts.Sum(t => (long)t.Length):N0} characters), {steps} steps");
        var result = MaskedLanguageModelTrainer.Train(encoder, texts, new EncoderTrainingSettings
        {
            Steps = steps,
            BatchSize = 16,
            LearningRate = 2e-3,
            WarmupSteps = Math.Max(1, steps / 10),
            Seed = options.Seed,
            MaxTokens = 256,
        }, progress: new ProgressPrinter($"mlm {preset}", Math.Max(1, steps / 20)));
        Log($"{preset}: MLM loss {result.MeanOfFirst(20):F3} -> {result.MeanOfLast(20):F3} in {result.Elapsed.TotalSeconds:F0} s");
        EncoderFiles.SaveEncoder(path, encoder);
        File.WriteAllText(secondsPath, result.Elapsed.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture));
        return (encoder, result.Elapsed.TotalSeconds);
    }

    /// <summary>wikitext-2 valid+test paragraphs and every data set's train and dev sentences, less any sentence a test split holds.</summary>
    private static List<string> MlmTexts(bool quick)
    {
        var testTexts = AllDatasets.SelectMany(d => Files(d).Test.SelectMany(ConllReader.ReadFile)).Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
        var labelled = AllDatasets.SelectMany(d => Files(d).Train.Concat(Files(d).Dev)).SelectMany(ConllReader.ReadFile).Select(s => s.Text)
            .Where(t => !testTexts.Contains(t)).Distinct(StringComparer.Ordinal);
        var wiki = new[] { "valid.txt", "test.txt" }.SelectMany(f => File.ReadLines(SharedData.DataPath("wikitext-2", f)))
            .Select(l => l.Trim()).Where(l => l.Length >= 20 && !l.StartsWith('='));
        var texts = wiki.Concat(labelled).ToList();
        return quick ? texts.Take(200).ToList() : texts;
    }

    private static (IReadOnlyList<NerSentence> Train, IReadOnlyList<NerSentence> Dev, IReadOnlyList<NerSentence> Test) Load(string dataset, bool quick)
    {
        var (train, dev, test) = Files(dataset);
        IReadOnlyList<NerSentence> Read(IEnumerable<string> files, int quickCount)
        {
            var sentences = files.SelectMany(ConllReader.ReadFile).ToList();
            return quick ? sentences.Take(quickCount).ToList() : sentences;
        }
        return (Read(train, 48), Read(dev, 24), Read(test, 24));
    }

    private static (string[] Train, string[] Dev, string[] Test) Files(string dataset) => dataset switch
    {
        "wnut17" => ([SharedData.DataPath("wnut17", "wnut17train.conll")], [SharedData.DataPath("wnut17", "emerging.dev.conll")], [SharedData.DataPath("wnut17", "emerging.test.annotated")]),
        "ai" or "literature" or "music" => ([SharedData.DataPath("crossner", dataset, "train.txt")], [SharedData.DataPath("crossner", dataset, "dev.txt")], [SharedData.DataPath("crossner", dataset, "test.txt")]),
        _ => throw new ArgumentException($"ner-full: unknown data set '{dataset}' (wnut17, music, ai, literature)."),
    };

    private static double Points(double ratio) => Math.Round(100 * ratio, 1);

    private static void Log(string message)
    {
        Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
        Console.Out.Flush();
    }
}
