using System.Diagnostics;
using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Side-by-side timings of candidate optimisations against what the model does today, at the model's shapes, each
/// with the largest difference between the two results, so a proposal comes with its speed-up and its accuracy.
/// Nothing here changes the model.
/// </summary>
internal static class ExperimentsBench
{
    public static void Run(BenchOptions options, MegalodonConfig config)
    {
        int runs = options.Runs > 0 ? options.Runs : 5;
        int warmup = options.Warmup >= 0 ? options.Warmup : 1;
        var table = new ResultTable("experiments", "experiment", "variant", "L", "fwd ms", "fwd+bwd ms", "max abs diff vs current");
        foreach (int length in options.Lengths)
        {
            torch.manual_seed(options.Seed);
            Attention(table, config, length, warmup, runs);
            SwiGlu(table, config, length, warmup, runs);
            StreamingPowers(table, config, length, warmup, runs);
            StreamingCemaState(table, config, Math.Min(length, MegalodonModel.ChunksPerStreamingPiece * config.ChunkSize), warmup, runs);
        }
        table.Emit(options.OutDir);
        StepSplit(options, config, warmup);
    }

    /// <summary>Chunked attention: explicit masked softmax (today) vs PyTorch's fused causal kernel with q pre-scaled by sqrt(dz) to cancel its 1/sqrt(dz).</summary>
    private static void Attention(ResultTable table, MegalodonConfig config, int length, int warmup, int runs)
    {
        using var scope = torch.NewDisposeScope();
        int h = config.NumHeads, dz = config.HeadZDim, dv = config.HeadValueDim, c = Math.Min(config.ChunkSize, length);
        long chunks = length / c;
        using var rope = new RotaryEmbedding(dz, config.EffectiveRopeBase);
        var q = (torch.randn(1, length, h, dz) * 0.3).requires_grad_(true);
        var k = (torch.randn(1, length, h, dz) * 0.3).requires_grad_(true);
        var v = torch.randn(1, length, h, dv).requires_grad_(true);
        Tensor Current() => ChunkedAttention.Full(q, k, v, config.ChunkSize, rope, 0, training: true);
        Tensor Fused()
        {
            using var s = torch.NewDisposeScope();
            var qc = rope.Rotate(q.reshape(chunks, c, h, dz), 0).transpose(1, 2) * Math.Sqrt(dz);
            var kc = rope.Rotate(k.reshape(chunks, c, h, dz), 0).transpose(1, 2);
            var vc = v.reshape(chunks, c, h, dv).transpose(1, 2);
            var o = nn.functional.scaled_dot_product_attention(qc, kc, vc, is_casual: true);
            return o.transpose(1, 2).reshape(1, length, h * dv).MoveToOuterDisposeScope();
        }
        Compare(table, "chunked attention", length, warmup, runs, ("explicit masked softmax (current)", Current), ("scaled_dot_product_attention, is_causal", Fused));
    }

    /// <summary>SwiGLU: fc1 and fc3 as two matmuls (today) vs one matmul on their concatenated weights (same parameters, same names).</summary>
    private static void SwiGlu(ResultTable table, MegalodonConfig config, int length, int warmup, int runs)
    {
        using var scope = torch.NewDisposeScope();
        int d = config.ModelDim, f = config.FfnHiddenDim;
        var u = torch.randn(1, length, d).requires_grad_(true);
        var w1 = (torch.randn(f, d) / Math.Sqrt(d)).requires_grad_(true);
        var w3 = (torch.randn(f, d) / Math.Sqrt(d)).requires_grad_(true);
        Tensor Current() => nn.functional.silu(nn.functional.linear(u, w1)) * nn.functional.linear(u, w3);
        Tensor Fused()
        {
            using var s = torch.NewDisposeScope();
            var both = nn.functional.linear(u, torch.cat([w1, w3], 0)).chunk(2, -1);
            return (nn.functional.silu(both[0]) * both[1]).MoveToOuterDisposeScope();
        }
        Compare(table, "SwiGLU input projections", length, warmup, runs, ("fc1, fc3 separately (current)", Current), ("one matmul on cat(fc1, fc3)", Fused));
    }

    /// <summary>
    /// The complex powers q^0..q^L that a streaming CEMA call with state builds: float64 exp/cos/sin over D·N·(L+1)
    /// (today) vs power tables q^(bT)·q^a (float64 over D·N·(T + L/T), one complex64 product over D·N·L).
    /// Forward only (streaming runs without gradients).
    /// </summary>
    private static void StreamingPowers(ResultTable table, MegalodonConfig config, int length, int warmup, int runs)
    {
        using var scope = torch.NewDisposeScope();
        int d = config.ModelDim, n = config.CemaNDim;
        var p = torch.randn(d, n).mul(0.2).sigmoid();
        var logMagnitude = (1 - p * torch.randn(d, n).mul(0.2).sigmoid()).log();
        var angle = torch.rand(d, 1).mul(2 * Math.PI / n) * torch.arange(1, n + 1, ScalarType.Float32).view(1, n);
        long count = length + 1;
        Tensor Current() => Complex(PowersReal(logMagnitude, angle, torch.arange(0, count, ScalarType.Float64)));
        Tensor Tables()
        {
            using var s = torch.NewDisposeScope();
            long block = (long)Math.Ceiling(Math.Sqrt(count)), blocks = (count + block - 1) / block;
            var inner = Complex(PowersReal(logMagnitude, angle, torch.arange(0, block, ScalarType.Float64)));                 // (D,N,T)
            var outer = Complex(PowersReal(logMagnitude, angle, torch.arange(0, blocks, ScalarType.Float64) * block));       // (D,N,nb)
            var all = (outer.unsqueeze(-1) * inner.unsqueeze(-2)).reshape(d, n, blocks * block).narrow(-1, 0, count);
            return all.MoveToOuterDisposeScope();
        }
        var times = new List<(string, double)>();
        using var reference = Current();
        foreach (var (name, f) in new (string, Func<Tensor>)[] { ("float64 exp/cos/sin over D·N·L (current)", Current), ("power tables, complex64 product", Tables) })
        {
            var fwd = Timing.Median(Timing.Measure(() => { using var s = torch.NewDisposeScope(); f(); }, warmup, runs));
            using var s2 = torch.NewDisposeScope();
            double diff = (f() - reference).abs().max().item<float>();
            table.Add("streaming CEMA powers q^0..q^L", name, length, fwd, "", diff);
            Console.WriteLine($"  streaming powers, {name}, L={length}: {fwd:F2} ms");
        }
    }

    /// <summary>
    /// What a streaming CEMA call with a carried state adds to the stateless path: the carried state's contribution
    /// b[j] = Re Σ_n γ h q^(j+1) and the new state h_L = q^L h + p Σ_j q^(L−1−j) u_j. Today both go through the full
    /// power table q^0..q^L (D·N·(L+1), float64 transcendentals, then two complex bmm). The candidate writes every
    /// exponent as bT + a and uses two real bmm against the small tables q^a and q^(bT), never forming D·N·L.
    /// Forward only; the difference column is the larger of the two outputs' max abs differences.
    /// </summary>
    private static void StreamingCemaState(ResultTable table, MegalodonConfig config, int length, int warmup, int runs)
    {
        using var scope = torch.NewDisposeScope();
        int d = config.ModelDim, n = config.CemaNDim;
        const int batch = 1;
        var p = torch.randn(d, n).mul(0.2).sigmoid();
        var logMagnitude = (1 - p * torch.randn(d, n).mul(0.2).sigmoid()).log();
        var angle = torch.rand(d, 1).mul(2 * Math.PI / n) * torch.arange(1, n + 1, ScalarType.Float32).view(1, n);
        var gamma = torch.complex(torch.randn(d, n), torch.randn(d, n)) * Math.Sqrt(1.0 / n);
        var hidden = torch.complex(torch.randn(batch, d, n), torch.randn(batch, d, n)) * 0.1;
        var u = torch.randn(batch, d, length);

        (Tensor Bias, Tensor State) Current()
        {
            using var s = torch.NewDisposeScope();
            var powers = Complex(PowersReal(logMagnitude, angle, torch.arange(0, length + 1, ScalarType.Float64)));   // (D,N,L+1)
            var weighted = (hidden * gamma).permute(1, 0, 2);                                                           // (D,B,N)
            var bias = weighted.bmm(powers.narrow(-1, 1, length)).real.permute(1, 0, 2);                               // (B,D,L)
            var reversed = powers.narrow(-1, 0, length).flip(-1);
            var inputs = u.permute(1, 2, 0).to_type(ScalarType.ComplexFloat32);                                        // (D,L,B)
            var state = (p.unsqueeze(-1) * reversed).bmm(inputs).permute(2, 0, 1) + powers.select(-1, length) * hidden;
            return (bias.MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
        }

        (Tensor Bias, Tensor State) Tables()
        {
            using var s = torch.NewDisposeScope();
            long block = (long)Math.Ceiling(Math.Sqrt(length)), blocks = (length + block - 1) / block, padded = block * blocks;
            var (innerRe, innerIm) = PowersReal(logMagnitude, angle, torch.arange(0, block, ScalarType.Float64));               // q^a (D,N,T)
            var (outerRe, outerIm) = PowersReal(logMagnitude, angle, torch.arange(0, blocks, ScalarType.Float64) * block);     // q^(bT) (D,N,nb)
            var (qRe, qIm) = PowersReal(logMagnitude, angle, torch.tensor(new double[] { 1, length }));                       // q^1, q^L (D,N,2)

            // Carried contribution: b[j] = Re Σ_n (γ h q)·q^(bT)·q^a with j = bT + a.
            var g = (hidden * gamma * torch.complex(qRe.select(-1, 0), qIm.select(-1, 0))).permute(1, 2, 0);           // (D,N,B)
            var (gr, gi) = (g.real.unsqueeze(-1), g.imag.unsqueeze(-1));                                                // (D,N,B,1)
            var (or, oi) = (outerRe.unsqueeze(2), outerIm.unsqueeze(2));                                                // (D,N,1,nb)
            var wr = (gr * or - gi * oi).reshape(d, n, batch * blocks);
            var wi = (gr * oi + gi * or).reshape(d, n, batch * blocks);
            var left = torch.cat([wr, -wi], 1).transpose(1, 2);                                                         // (D, B·nb, 2N)
            var right = torch.cat([innerRe, innerIm], 1);                                                               // (D, 2N, T)
            var bias = left.bmm(right).reshape(d, batch, padded).narrow(-1, 0, length).permute(1, 0, 2);                // (B,D,L)

            // New state: Σ_r q^r u[L−1−r] with r = bT + a, as (D,2N,T) × (D,T,B·nb), then weighted by q^(bT) and summed over b.
            var reversedInput = torch.nn.functional.pad(u.flip(-1), [0, padded - length]);                             // (B,D,nb·T)
            var blocked = reversedInput.view(batch, d, blocks, block).permute(1, 3, 0, 2).reshape(d, block, batch * blocks); // (D,T,B·nb)
            var partial = torch.cat([innerRe, innerIm], 1).bmm(blocked).view(d, 2, n, batch, blocks);                 // (D,2,N,B,nb)
            var (pr, pi) = (partial.select(1, 0), partial.select(1, 1));
            var sumRe = (pr * or - pi * oi).sum(-1);                                                                    // (D,N,B)
            var sumIm = (pr * oi + pi * or).sum(-1);
            var fresh = torch.complex(p.unsqueeze(-1) * sumRe, p.unsqueeze(-1) * sumIm).permute(2, 0, 1);              // (B,D,N)
            var state = fresh + torch.complex(qRe.select(-1, 1), qIm.select(-1, 1)) * hidden;
            return (bias.MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
        }

        var (refBias, refState) = Current();
        foreach (var (name, f) in new (string, Func<(Tensor, Tensor)>)[] { ("full power table + complex bmm (current)", Current), ("power tables + real bmm", Tables) })
        {
            double fwd = Timing.Median(Timing.Measure(() => { using var s = torch.NewDisposeScope(); f(); }, warmup, runs));
            using var s2 = torch.NewDisposeScope();
            var (bias, state) = f();
            double diff = Math.Max((bias - refBias).abs().max().item<float>(), (state - refState).abs().max().item<float>());
            table.Add("streaming CEMA state terms", name, length, fwd, "", diff);
            Console.WriteLine($"  streaming CEMA state terms, {name}, L={length}: {fwd:F2} ms, max diff {diff:G3}");
        }
    }

    private static Tensor Complex((Tensor Re, Tensor Im) parts) => torch.complex(parts.Re, parts.Im);

    /// <summary>The model's own power formula (float64 exponent products, cast to float32).</summary>
    private static (Tensor Re, Tensor Im) PowersReal(Tensor logMagnitude, Tensor angle, Tensor exponents)
    {
        var e = exponents.view(1, 1, -1);
        var magnitude = (logMagnitude.to_type(ScalarType.Float64).unsqueeze(-1) * e).exp();
        var phase = (angle.to_type(ScalarType.Float64).unsqueeze(-1) * e).remainder(2 * Math.PI);
        return ((magnitude * phase.cos()).to_type(ScalarType.Float32), (magnitude * phase.sin()).to_type(ScalarType.Float32));
    }

    private static void Compare(ResultTable table, string experiment, int length, int warmup, int runs,
                                (string Name, Func<Tensor> Run) current, (string Name, Func<Tensor> Run) candidate)
    {
        using var scope = torch.NewDisposeScope();
        Tensor reference, grad;
        using (torch.no_grad())
        {
            reference = current.Run();
            grad = torch.randn_like(reference);
        }
        foreach (var (name, run) in new[] { current, candidate })
        {
            double fwd = Timing.Median(Timing.Measure(() => { using var s = torch.NewDisposeScope(); run(); }, warmup, runs));
            double both = Timing.Median(Timing.Measure(() => { using var s = torch.NewDisposeScope(); run().backward([grad]); }, warmup, runs));
            double diff;
            using (torch.no_grad())
            using (var s = torch.NewDisposeScope())
                diff = (run() - reference).abs().max().item<float>();
            table.Add(experiment, name, length, fwd, both, diff);
            Console.WriteLine($"  {experiment}, {name}, L={length}: fwd {fwd:F2} ms, fwd+bwd {both:F2} ms, max diff {diff:G3}");
        }
    }

    /// <summary>
    /// One-token <see cref="MegalodonModel.Step"/> after 1K tokens of context, split at the model's taps, plus the
    /// cost of recomputing the CEMA coefficients (which do not change in eval mode) on every call.
    /// </summary>
    private static void StepSplit(BenchOptions options, MegalodonConfig config, int warmup)
    {
        torch.manual_seed(options.Seed);
        using var model = new MegalodonModel(config);
        model.eval();
        const int context = 1024, window = 256;
        using var stream = torch.randint(0, config.VocabSize, [1, context + window + warmup * window], dtype: ScalarType.Int64);
        using var state = model.NewState(1);
        using (var s = torch.NewDisposeScope()) model.Step(stream.narrow(1, 0, context), state);

        var sums = new Dictionary<string, double>();
        var order = new List<string>();
        double total = 0;
        int timedSteps = 0;
        for (int i = 0; i < window * (1 + warmup); i++)
        {
            bool timed = i >= window * warmup;
            string previous = "start";
            long last = Stopwatch.GetTimestamp();
            model.Tap = (name, _) =>
            {
                long now = Stopwatch.GetTimestamp();
                string key = (name.Contains('.') && name.StartsWith("layer", StringComparison.Ordinal) ? name[(name.IndexOf('.') + 1)..] : name);
                string segment = $"{previous} -> {key}";
                if (timed)
                {
                    if (!sums.ContainsKey(segment)) { sums[segment] = 0; order.Add(segment); }
                    sums[segment] += Stopwatch.GetElapsedTime(last, now).TotalMilliseconds;
                }
                previous = key;
                last = Stopwatch.GetTimestamp();
            };
            using var scope = torch.NewDisposeScope();
            long start = Stopwatch.GetTimestamp();
            model.Step(stream.narrow(1, state.Position, 1), state);
            long end = Stopwatch.GetTimestamp();
            if (timed)
            {
                const string tail = "last layer out -> final TimestepNorm + output projection";
                if (!sums.ContainsKey(tail)) { sums[tail] = 0; order.Add(tail); }
                sums[tail] += Stopwatch.GetElapsedTime(last, end).TotalMilliseconds;
                total += Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
                timedSteps++;
            }
        }
        model.Tap = null;
        var split = new ResultTable("experiments-step-split", "segment of a 1-token Step (summed over layers)", "ms/token", "share");
        foreach (string segment in order)
            split.Add(segment, sums[segment] / timedSteps, $"{100 * sums[segment] / total:F1}%");
        split.Add("total (mean)", total / timedSteps, "100%");

        // The coefficients every CEMA call recomputes, timed through the module's own (internal) method.
        using var cema = new ComplexExponentialMovingAverage(config.ModelDim, config.CemaNDim);
        Action coefficients = () => cema.Coefficients(ScalarType.Float32);
        {
            using var noGrad = torch.no_grad();
            double ms = Timing.Median(Timing.Measure(() => { using var s = torch.NewDisposeScope(); coefficients(); }, 20, 200));
            split.Add("  CEMA Coefficients() alone × layers (recomputed every call)", ms * config.NumLayers, $"{100 * ms * config.NumLayers / (total / timedSteps):F1}%");
        }
        split.Emit(options.OutDir);
    }
}
