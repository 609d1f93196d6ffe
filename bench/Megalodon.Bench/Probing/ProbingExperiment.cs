using System.Diagnostics;
using System.Globalization;
using Megalodon.ML.Probing;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;

namespace Megalodon.Bench.Probing;

/// <summary>
/// The trust-dynamics experiment of docs/probing.md, in resumable parts: <c>pretrain</c> (a 12-layer byte model on
/// State of the Union addresses, keeping log-spaced checkpoints and periodic ones to resume from), <c>probe</c> (every
/// checkpoint, layer, set and split seed: probe accuracy with its controls and the nHSIC terms; one file per
/// checkpoint), <c>steer</c> (the midpoint checkpoint's vectors on the final model, judged by an independent probe and
/// a text classifier, against a random direction; one file per set) and <c>report</c> (tables and the criteria). Each
/// part skips what has finished, so rerunning the same command continues an interrupted run.
/// </summary>
internal static class ProbingExperiment
{
    /// <summary>Runs the part named by <c>--part</c> (all by default).</summary>
    public static void Run(BenchOptions options)
    {
        var plan = new ProbingPlan(options);
        var ml = new MLContext(seed: options.Seed);
        Directory.CreateDirectory(options.OutDir);
        string part = options.Part;
        if (part is not ("all" or "pretrain" or "probe" or "steer" or "report"))
            throw new ArgumentException($"probing: --part must be all, pretrain, probe, steer or report (got '{part}').");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plan: {plan.Steps} steps of {plan.Batch} x {plan.Sequence} bytes; checkpoints at {string.Join(", ", plan.CheckpointSteps)}; split seeds {string.Join(", ", plan.Seeds)}; steering source step {plan.SourceStep}, layer {ProbingPlan.SteeredLayer}"));
        if (part is "all" or "pretrain") Pretrain(plan, ml);
        if (part is "all" or "probe") ProbeCheckpoints(plan, ml);
        if (part is "all" or "steer") ProbingSteering.Run(plan, ml);
        if (part is "all" or "report") ProbingReport.Write(plan);
    }

    private static void Pretrain(ProbingPlan plan, MLContext ml)
    {
        if (File.Exists(plan.PretrainedMarker))
        {
            Console.WriteLine("pretraining: done earlier, skipped");
            return;
        }
        var clock = Stopwatch.StartNew();
        var documents = Directory.GetFiles(SharedData.DataPath("sotu", "txt"), "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        var tokenizer = ModelTokenizer.ByteLevel();
        bool resume = Directory.Exists(plan.RunFolder) && new FolderCheckpointStore(plan.RunFolder).ListSteps().Count > 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pretraining: {documents.Count} State of the Union addresses, {documents.Sum(d => (long)d.Length):N0} characters; {plan.Steps * plan.Batch * plan.Sequence:N0} training tokens{(resume ? "; resuming from the last checkpoint" : "")}"));
        var pretrain = ml.Transforms.Megalodon().Pretrain(new MegalodonPretrainEstimator.Options
        {
            Config = ProbingPlan.Shape(tokenizer.VocabSize),
            Tokenizer = tokenizer,
            SequenceLength = plan.Sequence,
            BatchSize = plan.Batch,
            MaxSteps = plan.Steps,
            LearningRate = 2e-3,
            WarmupSteps = (int)Math.Max(1, plan.Steps / 20),
            Decay = ReferenceDecay.Cosine,
            ValidationFraction = 0.03,
            EvalInterval = (int)Math.Max(1, plan.Steps / 10),
            CheckpointFolder = plan.RunFolder,
            // Periodic checkpoints bound the work an interruption loses; they are removed once pretraining ends.
            CheckpointInterval = (int)Math.Max(1, plan.Steps / 24),
            CheckpointSteps = plan.CheckpointSteps,
            ResumeFromCheckpoint = resume,
            Seed = plan.Options.Seed,
            Threads = plan.Options.Threads,
            Progress = new ProgressPrinter("pretrain", Math.Max(1, plan.Steps / 40)),
        });
        using var final = pretrain.Fit(ml.Data.LoadFromEnumerable(documents.Select(d => new TextRow { Text = d })));
        long parameters = final.Model.parameters().Sum(p => p.numel());
        ResultFile.Write(Path.Combine(plan.Options.OutDir, "pretraining-validation.csv"), ["step", "training_tokens", "validation_loss"],
            final.TrainingResult!.Validations.Select(v => (IReadOnlyList<object>)[v.Step, v.Step * (long)plan.Batch * plan.Sequence, v.Loss]));
        var store = new FolderCheckpointStore(plan.RunFolder);
        foreach (long step in store.ListSteps().Where(s => !plan.CheckpointSteps.Contains(s)))
            store.Delete(step);
        File.WriteAllText(plan.PretrainedMarker, string.Create(CultureInfo.InvariantCulture,
            $"{parameters} parameters; finished {DateTime.UtcNow:u}; this session's pretraining time {clock.Elapsed.TotalMinutes:F1} min\n"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pretraining: {parameters:N0} parameters; {clock.Elapsed.TotalMinutes:F1} min in this process"));
    }

    private static readonly string[] ProbeHeader =
        ["set", "step", "layer", "seed", "accuracy", "auc", "shuffled_accuracy", "shuffled_auc", "majority_accuracy", "train_rows", "test_rows", "i_xt", "i_yt", "i_yt_shuffled"];

    private static void ProbeCheckpoints(ProbingPlan plan, MLContext ml)
    {
        var sets = ProbingSets.Load(ml, plan.ProbeRows);
        foreach (var set in sets)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"set {set.Name} ({set.Dimension}): {set.Rows.Count} rows, {set.Labels.Count(l => l)} true, {set.Rows.Select(r => r.Group).Distinct().Count()} groups"));
        foreach (long step in plan.CheckpointSteps)
        {
            string file = plan.ProbeFile(step);
            if (File.Exists(file)) { Console.WriteLine($"probes of step {step}: done earlier, skipped"); continue; }
            if (!Directory.Exists(plan.StepFolder(step))) { Console.WriteLine($"probes of step {step}: no checkpoint yet, skipped"); continue; }
            var clock = Stopwatch.StartNew();
            var (networks, tokenizer) = ProbingCheckpoints.Load([plan.StepFolder(step)]);
            using var model = networks[0].Model;
            var rows = new List<IReadOnlyList<object>>();
            foreach (var set in sets)
            {
                var activations = ProbingActivations.Read(model, tokenizer, set.Texts);
                var labels = set.Labels;
                foreach (int seed in plan.Seeds)
                {
                    var isTrain = set.Split(seed);
                    var train = Enumerable.Range(0, labels.Length).Where(i => isTrain[i]).ToArray();
                    var information = InformationPlane.Measure(
                        new LayerActivations(activations.Layers, activations.Values.Select(v => train.Select(i => v[i]).ToArray()).ToList()),
                        train.Select(i => labels[i]).ToList(), plan.Options.MiRows, seed);
                    for (int k = 0; k < activations.Layers.Count; k++)
                    {
                        var probe = SplitProbe.Evaluate($"Layer{activations.Layers[k]}", activations.Values[k], labels, isTrain, seed);
                        rows.Add([set.Name, step, activations.Layers[k], seed, probe.Accuracy, probe.Auc, probe.ShuffledAccuracy, probe.ShuffledAuc,
                            probe.MajorityAccuracy, probe.TrainRows, probe.TestRows,
                            information[k].InputInformation, information[k].LabelInformation, information[k].ShuffledLabelInformation]);
                    }
                }
            }
            ResultFile.Write(file, ProbeHeader, rows);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"probes of step {step}: {rows.Count} rows in {clock.Elapsed.TotalMinutes:F1} min (load average {LoadAverage()})"));
        }
    }

    /// <summary>The 1-minute load average, to print beside timings measured on a shared machine.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
