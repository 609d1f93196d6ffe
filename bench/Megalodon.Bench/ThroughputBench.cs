using Megalodon.ML.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Training-shape throughput: tokens/s of a forward pass (eval, no_grad) and of forward + cross-entropy +
/// backward (no optimizer step) at batch 1, for Megalodon and a Llama-style baseline of equal parameter count.
/// </summary>
internal static class ThroughputBench
{
    /// <summary>Targets from the issue, checked in the summary.</summary>
    private const double TargetTokensPerSecond = 1300, TargetSpeedRatio = 0.8, TargetCostRatio = 1.15;

    public static void Run(BenchOptions options, IReadOnlyList<BenchModel> models, Device device)
    {
        var results = new ResultTable("throughput", "model", "params", "length", "pass", "runs", "median ms", "min ms", "tokens/s");
        var measured = new Dictionary<(string Model, int Length, string Pass), double>();   // tokens/s
        foreach (var spec in models)
        {
            torch.manual_seed(options.Seed);
            using var model = spec.Create();
            long parameters = BenchModel.ParameterCount(model);
            Console.WriteLine($"{spec.Name}: {parameters:N0} parameters");
            foreach (int length in options.Lengths)
            {
                int runs = options.Runs > 0 ? options.Runs : length <= 2048 ? 5 : 3;
                int warmup = options.Warmup >= 0 ? options.Warmup : 1;
                using var tokens = torch.randint(0, spec.VocabSize, [1, length], dtype: ScalarType.Int64, device: device);
                using var targets = torch.randint(0, spec.VocabSize, [1, length], dtype: ScalarType.Int64, device: device);

                model.eval();
                var forward = Timing.Measure(BenchDevice.Synchronized(device, () =>
                {
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    model.forward(tokens);
                }), warmup, runs);
                Record(spec.Name, parameters, length, "forward", forward);

                model.train();
                var training = Timing.Measure(BenchDevice.Synchronized(device, () =>
                {
                    using var scope = torch.NewDisposeScope();
                    model.zero_grad();
                    var logits = model.forward(tokens);
                    var loss = nn.functional.cross_entropy(logits.reshape(-1, spec.VocabSize), targets.reshape(-1));
                    loss.backward();
                }), warmup, runs);
                Record(spec.Name, parameters, length, "forward+backward", training);
                model.zero_grad();
            }
        }
        Console.WriteLine();
        results.Emit(options.OutDir);
        Summarise(options, models, measured);

        void Record(string name, long parameters, int length, string pass, double[] times)
        {
            double median = Timing.Median(times);
            double tokensPerSecond = length / (median / 1000.0);
            measured[(name, length, pass)] = tokensPerSecond;
            results.Add(name, parameters, length, pass, times.Length, median, times.Min(), tokensPerSecond);
            Console.WriteLine($"  L={length} {pass}: median {median:F0} ms over {times.Length} runs ({tokensPerSecond:F0} tokens/s)");
        }
    }

    private static void Summarise(BenchOptions options, IReadOnlyList<BenchModel> models,
                                  Dictionary<(string Model, int Length, string Pass), double> tps)
    {
        var summary = new ResultTable("throughput-summary", "metric", "pass", "value", "target", "met");
        string[] passes = ["forward", "forward+backward"];
        string subject = models[0].Name;                       // Megalodon when present
        string? baseline = models.Count > 1 ? models[^1].Name : null;
        int shortest = options.Lengths.Min(), longest = options.Lengths.Max();

        if (tps.TryGetValue((subject, shortest, "forward+backward"), out double train))
            summary.Add($"{subject} tokens/s at {shortest}", "forward+backward", train, $">= {TargetTokensPerSecond}", Met(train >= TargetTokensPerSecond));
        if (longest != shortest)
        {
            foreach (string pass in passes)
            {
                // Per-token cost is the reciprocal of throughput.
                double ratio = tps[(subject, shortest, pass)] / tps[(subject, longest, pass)];
                summary.Add($"{subject} per-token cost {longest} / {shortest}", pass, ratio, pass == "forward+backward" ? $"<= {TargetCostRatio}" : "", pass == "forward+backward" ? Met(ratio <= TargetCostRatio) : "");
            }
        }
        if (baseline is not null)
        {
            foreach (int length in options.Lengths)
                foreach (string pass in passes)
                {
                    double ratio = tps[(subject, length, pass)] / tps[(baseline, length, pass)];
                    bool checkedTarget = length == shortest && pass == "forward+backward";
                    summary.Add($"{subject} / {baseline} throughput at {length}", pass, ratio, checkedTarget ? $">= {TargetSpeedRatio}" : "", checkedTarget ? Met(ratio >= TargetSpeedRatio) : "");
                }
        }
        summary.Emit(options.OutDir);
    }

    private static string Met(bool ok) => ok ? "yes" : "NO";

    /// <summary>The Llama baseline of the given shape as a model under test.</summary>
    public static BenchModel Llama(LlamaConfig config, Device? device = null, ScalarType? matmulType = null) =>
        new($"Llama (F={config.FfnHiddenDim}, H={config.NumHeads})", config.VocabSize,
            () => new LlamaModel(config, device) { Precision = { MatmulType = matmulType } });
}
