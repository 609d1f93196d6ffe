using Megalodon.ML.Baselines;
using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Training throughput on a device: tokens/s of forward + cross-entropy + backward (no optimizer step) at batch 1 (or --batch) for
/// a Megalodon preset (default the reference 200M shape) and the Llama-style baseline of equal parameter count, with
/// model-FLOPs utilisation against the card's peak (<see cref="TrainingFlops"/>). On the CPU the peak is not a data
/// sheet figure but the matmul FLOP/s measured in this process at each model's own training shapes, in the run's
/// precision (<see cref="MatmulBench.PeakGflops"/>): the utilisation then says how close the whole step comes to the
/// speed of its own matmuls. Each measurement that fails (say, out of GPU memory) is recorded as failed and the run goes on.
/// </summary>
internal static class MfuBench
{
    public static void Run(BenchOptions options, Device device)
    {
        var megalodon = options.PresetConfig("200m");
        var llama = LlamaConfig.MatchingMegalodon(megalodon, options.LlamaHeads);
        var matmul = options.MatmulType;
        var kernel = options.AttentionKernel;
        Console.WriteLine($"device {device}, projections {options.Precision}, Megalodon attention {options.Attention}, " +
                          (device.type == DeviceType.CPU ? "peak measured per model and length" : $"peak {options.PeakTflops} TFLOP/s"));
        Console.WriteLine(device.type == DeviceType.CPU
            ? "CPU: dense = the projections' forward and backward matmul FLOPs per token (from the model's Linear shapes); attention as below; " +
              "peak = the best matmul route's FLOP/s at those shapes, measured here. " + TrainingFlops.Formula
            : "dense = 6·N. " + TrainingFlops.Formula);
        Console.WriteLine();

        var results = new ResultTable("mfu", "model", "params", "length", "batch", "device", "precision", "runs", "median ms",
            "tokens/s", "dense GFLOP/token", "attention GFLOP/token", "peak GFLOP/s", "MFU dense %", "MFU dense+attention %", "status");
        var tokensPerSecond = new Dictionary<(string Model, int Length), double>();
        var candidates = new List<(string Name, Func<nn.Module<Tensor, Tensor>> Create, Func<int, double> Attention, int Vocab)>();
        if (options.Models is "both" or "megalodon")
            candidates.Add((kernel == AttentionKernel.Auto ? "Megalodon" : $"Megalodon ({options.Attention} attention)",
                            () => Build(new MegalodonModel(megalodon, device), matmul, kernel),
                            length => TrainingFlops.MegalodonAttention(megalodon, length), megalodon.VocabSize));
        if (options.Models is "both" or "llama")
            candidates.Add(($"Llama (H={llama.NumHeads}, F={llama.FfnHiddenDim})", () => Build(new LlamaModel(llama, device), matmul),
                            length => TrainingFlops.LlamaAttention(llama, length), llama.VocabSize));

        foreach (var (name, create, attention, vocab) in candidates)
        {
            torch.manual_seed(options.Seed);
            using var model = create();
            long parameters = BenchModel.ParameterCount(model);
            Console.WriteLine($"{name}: {parameters:N0} parameters");
            foreach (int length in options.Lengths)
            {
                double peak = options.PeakTflops * 1e12;
                double dense = TrainingFlops.Dense(parameters), attentionFlops = attention(length);
                if (device.type == DeviceType.CPU)
                {
                    // On the CPU, count the step's real matmul work (embedding rows are lookups, not matmuls) and divide
                    // by what the same matmuls reach alone in this process.
                    long rows = (long)Math.Max(1, options.Batch) * length;
                    var shapes = MatmulBench.TrainingShapes(model, rows);
                    dense = shapes.Sum(s => s.Flops * s.Count) / rows;
                    var measuredPeak = MatmulBench.PeakGflops(shapes, warmup: 1, runs: 3);
                    peak = measuredPeak[matmul ?? ScalarType.Float32] * 1e9;
                    Console.WriteLine($"  L={length}: matmul peak at this model's shapes {measuredPeak[ScalarType.Float32]:F1} GFLOP/s fp32, " +
                                      $"{measuredPeak[ScalarType.BFloat16]:F1} GFLOP/s bf16; projection FLOPs per token {dense / 1e6:F1} M");
                }
                int runs = options.Runs > 0 ? options.Runs : 3;
                int warmup = options.Warmup >= 0 ? options.Warmup : 1;
                int batch = options.Batch > 0 ? options.Batch : 1;
                try
                {
                    var times = Measure(model, vocab, batch, length, device, warmup, runs);
                    double median = Timing.Median(times);
                    double tps = batch * length / (median / 1000.0);
                    tokensPerSecond[(name, length)] = tps;
                    results.Add(name, parameters, length, batch, device.ToString(), options.Precision, runs, median, tps,
                        dense / 1e9, attentionFlops / 1e9, peak / 1e9, 100 * dense * tps / peak, 100 * (dense + attentionFlops) * tps / peak, "ok");
                    Console.WriteLine($"  L={length}, batch {batch}: median {median:F1} ms over {runs} runs, {tps:F0} tokens/s, MFU {100 * (dense + attentionFlops) * tps / peak:F1}%");
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Typically CUDA out of memory at the longest length: record it and measure the rest.
                    string reason = ex.Message.Split('\n')[0];
                    results.Add(name, parameters, length, batch, device.ToString(), options.Precision, 0, double.NaN, double.NaN,
                        dense / 1e9, attentionFlops / 1e9, peak / 1e9, double.NaN, double.NaN, "failed: " + reason.Replace(',', ';'));
                    Console.WriteLine($"  L={length}: failed: {reason}");
                }
                model.zero_grad();
            }
        }
        Console.WriteLine();
        results.Emit(options.OutDir);

        if (candidates.Count == 2)
        {
            var ratios = new ResultTable("mfu-ratio", "length", "Megalodon / Llama tokens/s");
            foreach (int length in options.Lengths)
                if (tokensPerSecond.TryGetValue((candidates[0].Name, length), out double m) && tokensPerSecond.TryGetValue((candidates[1].Name, length), out double l))
                    ratios.Add(length, m / l);
            ratios.Emit(options.OutDir);
        }
    }

    private static nn.Module<Tensor, Tensor> Build(MegalodonModel model, ScalarType? matmul, AttentionKernel kernel)
    {
        model.Precision.MatmulType = matmul;
        model.Attention.Kernel = kernel;
        return model;
    }

    private static nn.Module<Tensor, Tensor> Build(LlamaModel model, ScalarType? matmul)
    {
        model.Precision.MatmulType = matmul;
        return model;
    }

    /// <summary>Times forward + cross-entropy + backward of <paramref name="batch"/> sequences; returns the timed runs in ms.</summary>
    private static double[] Measure(nn.Module<Tensor, Tensor> model, int vocab, int batch, int length, Device device, int warmup, int runs)
    {
        using var tokens = torch.randint(0, vocab, [batch, length], dtype: ScalarType.Int64, device: device);
        using var targets = torch.randint(0, vocab, [batch, length], dtype: ScalarType.Int64, device: device);
        model.train();
        return Timing.Measure(BenchDevice.Synchronized(device, () =>
        {
            using var scope = torch.NewDisposeScope();
            model.zero_grad();
            var logits = model.forward(tokens);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1));
            loss.backward();
        }), warmup, runs);
    }
}
