using System.Diagnostics;
using Megalodon.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Where Megalodon's training time goes at one sequence length: (1) the whole model's forward+backward, (2) a
/// forward split at the model's tap points, and (3) every sub-computation timed alone, forward and forward+backward,
/// at the shapes it has inside the model, scaled by how often a step runs it. What (3) does not account for is the
/// glue between sub-modules (residual adds, gating products, views) and autograd's own bookkeeping. On a GPU every
/// timer waits for the device (<see cref="BenchDevice.Synchronize"/>), and <c>--precision bf16</c> / <c>--attention</c>
/// apply to the whole model and to the components alike.
/// </summary>
internal static class ProfileBench
{
    public static void Run(BenchOptions options, MegalodonConfig config, Device device)
    {
        var setup = new Setup(device, options.MatmulType, options.AttentionKernel);
        Console.WriteLine($"device {device}, projections {options.Precision}, attention {setup.Attention.For(device)}; D={config.ModelDim}, layers {config.NumLayers}, vocabulary {config.VocabSize}");
        foreach (int length in options.Lengths)
        {
            config.CheckSequenceLength(length);
            int runs = options.Runs > 0 ? options.Runs : 5;
            int warmup = options.Warmup >= 0 ? options.Warmup : 1;
            Console.WriteLine($"## Profile at L={length}, {runs} timed runs after {warmup} warm-up(s)");
            Console.WriteLine();
            double total = WholeModel(options, config, setup, length, warmup, runs, out var forwardSegments, out double forwardTotal);
            var segments = new ResultTable($"profile-forward-L{length}", "forward segment (all layers)", "ms", "share of forward");
            foreach (var (name, ms) in forwardSegments)
                segments.Add(name, ms, $"{100 * ms / forwardTotal:F1}%");
            segments.Add("total (tap-instrumented forward)", forwardTotal, "100%");
            segments.Emit(options.OutDir);
            Components(options, config, setup, length, warmup, runs, total);
        }
    }

    /// <summary>Where and how everything runs: the device, the projections' matmul dtype and the attention kernel.</summary>
    private sealed record Setup(Device Device, ScalarType? Matmul, AttentionKernel Kernel)
    {
        public PrecisionPolicy Precision { get; } = new() { MatmulType = Matmul };
        public AttentionPolicy Attention { get; } = new() { Kernel = Kernel };

        /// <summary>Median ms of <paramref name="action"/>, each run waiting for the device.</summary>
        public double[] Measure(Action action, int warmup, int runs) => Timing.Measure(BenchDevice.Synchronized(Device, action), warmup, runs);
    }

    /// <summary>Whole-model forward+backward (median ms), and a forward split by the model's taps.</summary>
    private static double WholeModel(BenchOptions options, MegalodonConfig config, Setup setup, int length, int warmup, int runs,
                                     out List<(string Name, double Ms)> segments, out double forwardTotal)
    {
        torch.manual_seed(options.Seed);
        using var model = new MegalodonModel(config, setup.Device);
        model.Precision.MatmulType = setup.Matmul;
        model.Attention.Kernel = setup.Kernel;
        model.train();
        using var tokens = torch.randint(0, config.VocabSize, [1, length], dtype: ScalarType.Int64, device: setup.Device);
        using var targets = torch.randint(0, config.VocabSize, [1, length], dtype: ScalarType.Int64, device: setup.Device);
        var times = setup.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            model.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(tokens).reshape(-1, config.VocabSize), targets.reshape(-1));
            loss.backward();
        }, warmup, runs);
        double total = Timing.Median(times);
        Console.WriteLine($"whole model forward+backward: median {total:F0} ms ({length / (total / 1000):F0} tokens/s)");
        Console.WriteLine();

        // Forward with gradients on (the training forward), split where the taps fire. Each tap waits for the device
        // (CPU ops are synchronous anyway), so the time between two taps is the time of the code between them.
        var sums = new Dictionary<string, double>();
        var order = new List<string>();
        double forwardSum = 0;
        for (int r = 0; r < warmup + runs; r++)
        {
            bool timed = r >= warmup;
            string previous = "embedding";
            long last = Stopwatch.GetTimestamp();
            void Add(string segment, long now)
            {
                if (!timed) return;
                if (!sums.ContainsKey(segment)) { sums[segment] = 0; order.Add(segment); }
                sums[segment] += Stopwatch.GetElapsedTime(last, now).TotalMilliseconds;
            }
            model.Tap = (name, _) =>
            {
                BenchDevice.Synchronize(setup.Device);
                long now = Stopwatch.GetTimestamp();
                Add(SegmentBefore(name, previous), now);
                previous = name;
                last = Stopwatch.GetTimestamp();   // exclude the tap's own bookkeeping
            };
            using var scope = torch.NewDisposeScope();
            long start = Stopwatch.GetTimestamp();
            model.forward(tokens);
            BenchDevice.Synchronize(setup.Device);
            Add("output projection", Stopwatch.GetTimestamp());
            if (timed) forwardSum += Timing.Since(start);
        }
        model.Tap = null;
        segments = order.Select(name => (name, sums[name] / runs)).ToList();
        forwardTotal = forwardSum / runs;
        return total;
    }

    /// <summary>Names the code that ran between tap <paramref name="previous"/> and tap <paramref name="current"/>.</summary>
    private static string SegmentBefore(string current, string previous)
    {
        static string Suffix(string name) => name.Contains('.') && name.StartsWith("layer", StringComparison.Ordinal) ? name[(name.IndexOf('.') + 1)..] : name;
        return (Suffix(previous), Suffix(current)) switch
        {
            ("embedding", "timestep_norm.in") => "embedding",
            (_, "timestep_norm.in") => "between layers",
            (_, "timestep_norm.out") => "TimestepNorm",
            (_, "cema.in") => "transpose to (B,D,L)",
            (_, "cema.out") => "CEMA (coefficients, kernel, FFT convolution)",
            (_, "rmsnorm.out") => "transpose back + RMSNorm",
            (_, "attention.out") => "wz/wv/wr projections, Q/K norm, RoPE, chunked attention",
            (_, "attn_out") => "gate, wh1, wh2, residual",
            (_, "out") => "FFN (LayerNorm, SwiGLU) + residual",
            (_, "hidden.final") => "final TimestepNorm",
            var (p, c) => $"{p} -> {c}",
        };
    }

    /// <summary>Each sub-computation alone, at the model's shapes, forward and forward+backward.</summary>
    private static void Components(BenchOptions options, MegalodonConfig config, Setup setup, int length, int warmup, int runs, double wholeModelMs)
    {
        torch.manual_seed(options.Seed);
        int d = config.ModelDim, z = config.ZDim, e = config.ValueDim, f = config.FfnHiddenDim, n = config.CemaNDim;
        int h = config.NumHeads, dz = config.HeadZDim, dv = config.HeadValueDim, v = config.VocabSize, layers = config.NumLayers;
        var table = new ResultTable($"profile-components-L{length}", "component", "calls/step", "fwd ms/call", "fwd+bwd ms/call", "fwd+bwd ms/step", "share of step");
        double accounted = 0;
        using var outer = torch.NewDisposeScope();

        void Time(string name, int calls, Func<Tensor> forward, bool partOfAnother = false)
        {
            using var scope = torch.NewDisposeScope();
            Tensor grad;
            using (torch.no_grad()) grad = torch.randn_like(forward());
            var fwd = setup.Measure(() => { using var s = torch.NewDisposeScope(); forward(); }, warmup, runs);
            var both = setup.Measure(() => { using var s = torch.NewDisposeScope(); forward().backward([grad]); }, warmup, runs);
            double perCall = Timing.Median(both), perStep = perCall * calls;
            if (!partOfAnother) accounted += perStep;   // "of which" rows are already inside their parent's time
            table.Add(name, calls, Timing.Median(fwd), perCall, perStep, $"{100 * perStep / wholeModelMs:F1}%");
            Console.WriteLine($"  {name}: {perCall:F2} ms fwd+bwd per call");
        }

        var device = setup.Device;
        Tensor Leaf(params long[] shape) => torch.randn(shape, device: device).requires_grad_(true);
        T On<T>(T module) where T : nn.Module => (T)module.to(device);

        // Norms.
        var xLd = Leaf(1, length, d);
        var timeNorm = On(new TimestepNorm(d, config.NormNumGroups, config.NormEps));
        Time("TimestepNorm (B,L,D)", layers + 1, () => timeNorm.forward(xLd));
        var rms = On(new OffsetRmsNorm(d, config.NormEps, config.NormAffine));
        Time("RMSNorm (B,L,D)", layers, () => rms.forward(xLd));
        var layerNorm = On(new OffsetLayerNorm(d, config.NormEps, config.NormAffine));
        Time("FFN LayerNorm (B,L,D)", layers, () => layerNorm.forward(xLd));

        // CEMA, and its FFT convolution alone (same ops as the model) so the kernel construction shows by difference.
        var cema = On(new ComplexExponentialMovingAverage(d, n));
        var xDl = Leaf(1, d, length);
        Time("CEMA total (B,D,L)", layers, () => cema.forward(xDl));
        var kernel = Leaf(d, length);
        Time("  of which FFT causal convolution", layers, () => FftConvolution(xDl, kernel), partOfAnother: true);
        Time("  of which coefficients + kernel", layers, () => ComplexExponentialMovingAverage.Kernel(cema.Coefficients(ScalarType.Float32), length), partOfAnother: true);

        // Linears (weights as in the model; inputs as leaves so input gradients are computed, as in the model).
        var xLe = Leaf(1, length, e);
        var xLf = Leaf(1, length, f);
        foreach (var (name, input, inDim, outDim, bias, calls) in new (string, Tensor, int, int, bool, int)[]
        {
            ("wz D->Z", xLd, d, z, true, layers), ("wv D->E", xLd, d, e, true, layers), ("wr D->E", xLd, d, e, true, layers),
            ("wh1 D->D", xLd, d, d, true, layers), ("wh2 E->D", xLe, e, d, false, layers),
            ("fc1 D->F", xLd, d, f, false, layers), ("fc2 F->D", xLf, f, d, false, layers),
        })
        {
            var linear = nn.Linear(inDim, outDim, hasBias: bias, device: device);
            Time($"Linear {name}", calls, () => setup.Precision.Linear(linear, input));
        }
        if (config.SwiGlu)
        {
            var fc3 = nn.Linear(d, f, hasBias: false, device: device);
            Time("Linear fc3 D->F", layers, () => setup.Precision.Linear(fc3, xLd));
        }
        using var targets = torch.randint(0, v, [length], dtype: ScalarType.Int64, device: device);
        var head = nn.Linear(d, v, hasBias: false, device: device);
        Time("output head D->V + cross-entropy", 1, () => nn.functional.cross_entropy(setup.Precision.Logits(xLd, head.weight!).reshape(-1, v), targets));
        var embedding = nn.Embedding(v, d, device: device);
        using var tokens = torch.randint(0, v, [1, length], dtype: ScalarType.Int64, device: device);
        Time("embedding lookup", 1, () => embedding.forward(tokens));

        // Attention.
        var rope = On(new RotaryEmbedding(dz, config.EffectiveRopeBase));
        var attentionKernel = setup.Attention.For(device);
        // In the model q and k come out of the fp32 norms and v out of a projection (bf16 under the bf16 policy).
        var matmulType = setup.Matmul ?? ScalarType.Float32;
        var q = Leaf(1, length, h, dz);
        var k = Leaf(1, length, h, dz);
        var val = torch.randn([1, length, h, dv], device: device).to_type(matmulType).requires_grad_(true);
        Time($"chunked attention {attentionKernel} (C={config.ChunkSize}, incl. RoPE)", layers, () => ChunkedAttention.Full(q, k, val, config.ChunkSize, rope, 0, training: true, attentionKernel));
        Time("  of which RoPE on q and k", layers, () => rope.Rotate(q, 0) + rope.Rotate(k, 0), partOfAnother: true);
        Time("Q/K per-head RMS norm + scale/shift", layers, () =>
        {
            var zn = OffsetRmsNorm.Normalize(q, config.NormEps, null);
            return zn * 1.1 + 0.1 + (zn * 0.9 - 0.1);
        });

        // Element-wise activations and gates.
        var xLe2 = Leaf(1, length, e);
        Time("SiLU(v), SiLU(r), attention ⊙ gate", layers, () => nn.functional.silu(xLe) * nn.functional.silu(xLe2) + nn.functional.silu(xLe2));
        var xLf2 = Leaf(1, length, f);
        Time("SwiGLU SiLU(a) ⊙ b", layers, () => nn.functional.silu(xLf) * xLf2);

        table.Add("sum of components", "", "", "", accounted, $"{100 * accounted / wholeModelMs:F1}%");
        table.Add("whole model (measured)", 1, "", wholeModelMs, wholeModelMs, "100%");
        table.Add("unaccounted (glue, autograd bookkeeping)", "", "", "", wholeModelMs - accounted, $"{100 * (wholeModelMs - accounted) / wholeModelMs:F1}%");
        Console.WriteLine();
        table.Emit(options.OutDir);
    }

    /// <summary>The model's own FFT convolution steps: rfft of input and kernel at 2·nextpow2(L), product, irfft, first L samples.</summary>
    private static Tensor FftConvolution(Tensor u, Tensor kernel)
    {
        long length = u.shape[2], m = 1;
        while (m < length) m <<= 1;
        return fft.irfft(fft.rfft(u, 2 * m) * fft.rfft(kernel, 2 * m), 2 * m).narrow(-1, 0, length);
    }
}
