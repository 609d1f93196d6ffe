using System.Diagnostics;
using System.Globalization;
using Megalodon.ML.Model;
using Megalodon.ML.Probing;
using Megalodon.Reports;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.Bench;

/// <summary>
/// TracingLLM's probing study at CPU scale: pretrain a byte-level Megalodon on State of the Union addresses keeping
/// log-spaced checkpoints (step 0 included), then for each checkpoint and layer train linear probes on StereoSet,
/// ToxiGen and TruthfulQA (first 80% of each file, standardised with training statistics), report held-out accuracy
/// and AUC, the nHSIC information terms, and steering of the final model with vectors from a middle checkpoint.
/// </summary>
internal static class ProbingBench
{
    private static readonly string[] Datasets = ["stereoset", "toxigen", "truthfulqa"];

    /// <summary>The model probed: 6 layers of width 128 (about 1M parameters), byte vocabulary.</summary>
    public static MegalodonConfig Shape(int vocabSize) => new()
    {
        NumLayers = 6, ModelDim = 128, ZDim = 32, ValueDim = 256, NumHeads = 1, FfnHiddenDim = 256,
        CemaNDim = 8, ChunkSize = 256, NormNumGroups = 16, SwiGlu = true, VocabSize = vocabSize,
    };

    public static void Run(BenchOptions options)
    {
        var clock = Stopwatch.StartNew();
        string probingData = SharedData.DataPath("tracingllm-probing");
        string corpusFolder = SharedData.DataPath("sotu", "txt");
        Directory.CreateDirectory(options.OutDir);
        var ml = new MLContext(seed: options.Seed);
        var tokenizer = ModelTokenizer.ByteLevel();
        var config = Shape(tokenizer.VocabSize);

        // 1. Pretraining, keeping log-spaced checkpoints.
        var documents = Directory.GetFiles(corpusFolder, "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        long steps = options.Steps > 0 ? options.Steps : 1200;
        int batch = options.Batch > 0 ? options.Batch : 8;
        int sequence = options.Lengths[0];
        var checkpointSteps = LogSpacedSteps(steps, options.Checkpoints);
        string run = Path.Combine(options.OutDir, "run");
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus: {documents.Count} State of the Union addresses, {documents.Sum(d => (long)d.Length):N0} characters; {steps} steps of {batch} x {sequence} bytes = {steps * batch * sequence:N0} training tokens; checkpoints at steps {string.Join(", ", checkpointSteps)}"));
        var pretrain = ml.Transforms.Megalodon().Pretrain(new MegalodonPretrainEstimator.Options
        {
            Config = config,
            Tokenizer = tokenizer,
            SequenceLength = sequence,
            BatchSize = batch,
            MaxSteps = steps,
            LearningRate = 2e-3,
            WarmupSteps = (int)Math.Max(1, steps / 20),
            Decay = Megalodon.ML.Training.ReferenceDecay.Cosine,
            ValidationFraction = 0.03,
            EvalInterval = (int)Math.Max(1, steps / 8),
            CheckpointFolder = run,
            CheckpointInterval = 0,
            CheckpointSteps = checkpointSteps,
            Seed = options.Seed,
            Threads = options.Threads,
            Progress = new ProgressPrinter("pretrain", Math.Max(1, steps / 20)),
        });
        using var final = pretrain.Fit(ml.Data.LoadFromEnumerable(documents.Select(d => new TextRow { Text = d })));
        long parameters = final.Model.parameters().Sum(p => p.numel());
        var validation = new ResultTable("probing-pretraining", "step", "training tokens", "validation loss (nats/byte)");
        foreach (var v in final.TrainingResult!.Validations) validation.Add(v.Step, v.Step * (long)batch * sequence, Math.Round(v.Loss, 4));
        Console.WriteLine($"model: {parameters:N0} parameters; pretraining took {clock.Elapsed.TotalMinutes:F1} min");
        validation.Emit(options.OutDir);
        ml.Model.Save(final, null, Path.Combine(options.OutDir, "final-model.zip"));

        // 2. Probes and information terms per checkpoint, layer and data set.
        var sets = Datasets.ToDictionary(d => d, d => LoadProbingSet(ml, probingData, d, options.ProbeRows));
        var table = new CheckpointLayerTable();
        var folders = ProbingCheckpoints.StepFolders(run);
        var probeClock = Stopwatch.StartNew();
        foreach (var folder in folders)
        {
            using var activations = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options
            {
                CheckpointFolders = [folder], BatchSize = 32, Position = ActivationPosition.Last,
            }).Fit(sets[Datasets[0]].All);
            foreach (var (name, set) in sets)
                table.AddProbes(ml, activations, name, set.All, set.TrainRows, informationRows: options.MiRows, seed: options.Seed);
            Console.WriteLine($"  probed {Path.GetFileName(folder)} ({probeClock.Elapsed.TotalMinutes:F1} min)");
        }
        table.ToCsv().Save(Path.Combine(options.OutDir, "probing-table.csv"));
        foreach (var name in Datasets)
        {
            PrintAccuracyTable(table, name, options.OutDir);
            var heatmap = table.Heatmap(name, r => r.Accuracy, $"{name}: held-out probe accuracy");
            heatmap.Save(Path.Combine(options.OutDir, $"probing-{name}-accuracy.png"));
            var (inputInformation, labelInformation) = table.InformationCharts(name);
            inputInformation.Save(Path.Combine(options.OutDir, $"probing-{name}-ixt.png"));
            labelInformation.Save(Path.Combine(options.OutDir, $"probing-{name}-iyt.png"));
        }

        // 3. Steering the final model with vectors from the middle checkpoint, as the paper steers its chat model with pretraining vectors.
        var steering = new ResultTable("probing-steering", "dataset", "source checkpoint", "layer", "alpha", "mean probe probability (last layer)", "mean probe probability (steered layer)");
        string source = folders.MinBy(f => Math.Abs(long.Parse(Path.GetFileName(f)["step-".Length..], CultureInfo.InvariantCulture) - steps / 2))!;
        int middle = config.NumLayers / 2;
        foreach (var (name, set) in sets)
            Steer(ml, final, source, name, set, middle, config.NumLayers - 1, steering);
        steering.Emit(options.OutDir);
        SampleGenerations(ml, final, source, sets["toxigen"], middle);
        Console.WriteLine($"total {clock.Elapsed.TotalMinutes:F1} min");
    }

    /// <summary>
    /// Step 0, <paramref name="count"/> − 1 steps spaced evenly in log(step) up to <paramref name="steps"/>, and the
    /// midpoint (the steering source, as the paper takes its vectors from the middle of pretraining).
    /// </summary>
    public static long[] LogSpacedSteps(long steps, int count)
    {
        var result = new SortedSet<long> { 0, steps, steps / 2 };
        for (int i = 0; i < count - 1; i++)
            result.Add((long)Math.Round(Math.Exp(Math.Log(steps) * i / (count - 2))));
        return result.ToArray();
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class ProbingCsvRow
    {
        [LoadColumn(0)] public string Text { get; set; } = "";
        [LoadColumn(1)] public bool Label { get; set; }
    }

    private sealed record ProbingSet(IDataView All, long Rows, long TrainRows);

    private static ProbingSet LoadProbingSet(MLContext ml, string folder, string name, int maxRows)
    {
        string file = Path.Combine(folder, name == "truthfulqa" ? "truthfulqa_train.csv" : name + ".csv");
        IDataView data = ml.Data.LoadFromTextFile<ProbingCsvRow>(file, separatorChar: ',', hasHeader: true, allowQuoting: true);
        // Rows whose statement is empty after parsing have no activations.
        data = ml.Data.FilterByCustomPredicate<ProbingCsvRow>(data, r => string.IsNullOrWhiteSpace(r.Text));
        if (maxRows > 0) data = ml.Data.TakeRows(data, maxRows);
        long rows = ml.Data.CreateEnumerable<ProbingCsvRow>(data, reuseRowObject: true).LongCount();
        // The paper's split: the first 80% of the file trains, the rest tests (no shuffle keeps StereoSet's sentence pairs together).
        return new ProbingSet(data, rows, (long)(rows * 0.8));
    }

    private static void PrintAccuracyTable(CheckpointLayerTable table, string name, string outDir)
    {
        var rows = table.Rows.Where(r => r.Dataset == name).ToList();
        var layers = rows.Select(r => r.Layer).Distinct().Order().ToList();
        var result = new ResultTable($"probing-{name}-accuracy", ["step", .. layers.Select(l => $"layer {l}"), "best layer", "mean AUC"]);
        foreach (var step in rows.Select(r => r.Step).Distinct().Order())
        {
            var cells = layers.Select(l => rows.First(r => r.Step == step && r.Layer == l)).ToList();
            var best = cells.MaxBy(c => c.Accuracy)!;
            result.Add([step, .. cells.Select(c => (object)Math.Round(c.Accuracy, 3)), best.Layer, Math.Round(cells.Average(c => c.Auc), 3)]);
        }
        Console.WriteLine($"### {name}: held-out accuracy per checkpoint (rows) and layer (columns)");
        result.Emit(outDir);
    }

    private static void Steer(MLContext ml, MegalodonLanguageModelTransformer final, string source, string name, ProbingSet set, int layer, int lastLayer, ResultTable table)
    {
        var train = ml.Data.TakeRows(set.All, set.TrainRows);
        var test = ml.Data.SkipRows(set.All, set.TrainRows);
        // Probes of the final model (unsteered), at the last layer and at the steered layer.
        using var plain = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options { LanguageModel = final, Layers = [layer, lastLayer], BatchSize = 32 }).Fit(train);
        var probes = ml.Transforms.Megalodon().ProbeLayers("Label").Fit(ml.Data.Cache(plain.Transform(train)));
        var vector = ml.Transforms.Megalodon().Steer(new SteeringEstimator.Options
        {
            LanguageModel = final, SourceCheckpointFolder = source, Layer = layer, Strength = 1, BatchSize = 32,
        }).Fit(train).Steering.Vector;
        foreach (double alpha in new[] { -4.0, -2, -1, 0, 1, 2, 4 })
        {
            using var steered = ml.Transforms.Megalodon().LayerActivations(new LayerActivationsEstimator.Options
            {
                LanguageModel = final, Layers = [layer, lastLayer], BatchSize = 32, Steering = new ActivationSteering(vector, alpha),
            }).Fit(test);
            var scored = probes.Transform(steered.Transform(test));
            double Mean(string column) => scored.GetColumn<float>(LayerProbeTransformer.ProbabilityColumn(column)).Average();
            table.Add(name, Path.GetFileName(source), layer, alpha, Math.Round(Mean($"Layer{lastLayer}"), 3), Math.Round(Mean($"Layer{layer}"), 3));
        }
    }

    private static void SampleGenerations(MLContext ml, MegalodonLanguageModelTransformer final, string source, ProbingSet set, int layer)
    {
        Console.WriteLine($"### greedy continuations of three ToxiGen test prompts, steered at layer {layer} with the vector of {Path.GetFileName(source)}");
        var prompts = ml.Data.CreateEnumerable<ProbingCsvRow>(ml.Data.SkipRows(set.All, set.TrainRows), reuseRowObject: false).Take(3).Select(r => r.Text).ToList();
        var train = ml.Data.TakeRows(set.All, set.TrainRows);
        foreach (double alpha in new[] { -4.0, 0, 4 })
        {
            using var steering = ml.Transforms.Megalodon().Steer(new SteeringEstimator.Options
            {
                LanguageModel = final, SourceCheckpointFolder = source, Layer = layer, Strength = alpha, BatchSize = 32,
            }).Fit(train);
            foreach (var prompt in prompts)
            {
                string text = steering.Generate(prompt, new Megalodon.ML.Generation.GenerationOptions { MaxTokens = 60, Temperature = 0 });
                Console.WriteLine($"alpha {alpha,3}: {Quote(prompt)} -> {Quote(text)}");
            }
        }
    }

    private static string Quote(string text) => "\"" + text.ReplaceLineEndings(" ").Trim() + "\"";
}
