using System.Globalization;
using Megalodon.ML.Baselines;
using Megalodon.ML.Model;
using Megalodon.Reports;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using TorchSharp;

namespace Megalodon.Bench;

/// <summary>
/// Megalodon (bench shape) against the Llama-style Transformer of equal parameter count on tinyshakespeare, trained
/// identically: byte-level tokenizer, the first 90% of the text for training and the last 10% for validation, the
/// same windows in the same order, the same steps, AdamW settings and schedule. Writes both validation curves.
/// <c>--models</c> picks one or both; <c>--precision bf16</c> runs the projections in bf16 on fp32 master weights
/// (the fp32-vs-bf16 comparison of docs/benchmarks.md runs this mode once per precision).
/// </summary>
internal static class ShakespeareBench
{
    public static void Run(BenchOptions options)
    {
        string path = SharedData.DataPath("tinyshakespeare", "input.txt");
        string text = File.ReadAllText(path);
        int split = (int)(text.Length * 0.9);
        var tokenizer = ModelTokenizer.ByteLevel();
        int[] train = tokenizer.Encode(text[..split]).ToArray(), valid = tokenizer.Encode(text[split..]).ToArray();

        int sequence = options.Lengths[0], batch = 4;
        long steps = options.Runs > 0 ? options.Runs : 300;
        var megalodonConfig = MegalodonPresets.Bench(tokenizer.VocabSize);
        var models = new List<(string Name, Func<torch.nn.Module<torch.Tensor, torch.Tensor>> Create)>();
        if (options.Models is "both" or "megalodon")
            models.Add(("Megalodon (bench)", () => new MegalodonModel(megalodonConfig) { Precision = { MatmulType = options.MatmulType } }));
        long megalodonParameters;
        using (var probe = new MegalodonModel(megalodonConfig)) megalodonParameters = probe.parameters().Sum(p => p.numel());
        var llamaConfig = LlamaConfig.MatchingParameterCount(megalodonParameters, tokenizer.VocabSize, megalodonConfig.ModelDim, megalodonConfig.NumLayers,
            LlamaConfig.MatchingMegalodon(megalodonConfig).NumHeads);
        if (options.Models is "both" or "llama")
            models.Add(("Llama (equal size)", () => new LlamaModel(llamaConfig) { Precision = { MatmulType = options.MatmulType } }));
        Console.WriteLine($"tinyshakespeare: {train.Length:N0} training and {valid.Length:N0} validation tokens (bytes); {steps} steps of {batch} x {sequence} tokens, projections in {options.Precision}");

        var chart = new LineChart($"tinyshakespeare, {steps} steps of {batch}x{sequence} bytes") { XLabel = "training tokens", YLabel = "validation loss (nats/byte)" };
        var csv = new CsvTable(["model", "parameters", "step", "tokens", "validation loss", "train loss (mean of last 10 steps)"]);
        var summary = new ResultTable("shakespeare-summary", "model", "parameters", "final validation loss", "seconds");
        foreach (var (name, create) in models)
        {
            torch.manual_seed(options.Seed);
            using var model = create();
            long parameters = model.parameters().Sum(p => p.numel());
            var trainerOptions = new LanguageModelTrainerOptions
            {
                BatchSize = batch,
                SequenceLength = sequence,
                TotalSteps = steps,
                Schedule = new ReferenceSchedule(steps, ReferenceDecay.Cosine, 2e-3, warmupSteps: (int)Math.Max(1, steps / 10)),
                Optimizer = AdamWSettings.Reference with { LearningRate = 2e-3 },
                EvalInterval = (int)Math.Max(1, steps / 12),
                ValidationBatches = 16,
                Seed = options.Seed,
            };
            using var trainer = new LanguageModelTrainer(model, trainerOptions,
                new PackedTokenWindowSource(train, sequence, seed: (ulong)options.Seed),
                new PackedTokenWindowSource(valid, sequence, shuffle: false));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = trainer.Train(new ProgressPrinter(name, Math.Max(1, steps / 10)));
            clock.Stop();
            foreach (var v in result.Validations)
            {
                double trainLoss = result.History.Where(h => h.Step <= v.Step).TakeLast(10).Average(h => h.Loss);
                csv.AddRow(name, parameters, v.Step, v.Step * batch * sequence, v.Loss, trainLoss);
            }
            chart.AddSeries(name, result.Validations.Select(v => (double)v.Step * batch * sequence).ToList(), result.Validations.Select(v => v.Loss).ToList());
            summary.Add(name, parameters, Math.Round(result.FinalValidation!.Loss, 4), Math.Round(clock.Elapsed.TotalSeconds));
        }
        Directory.CreateDirectory(options.OutDir);
        csv.Save(Path.Combine(options.OutDir, "shakespeare-curves.csv"));
        chart.Save(Path.Combine(options.OutDir, "shakespeare-curves.png"));
        summary.Emit(options.OutDir);
    }
}
