using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// CPU matmul routes at a model's own projection shapes: for every distinct (in, out) of its <see cref="Linear"/>
/// layers at M = batch x length rows, the forward product and the two backward products (input and weight
/// gradients), each through <c>nn.functional.linear</c>, <c>mm</c> on the transposed weight view, and <c>mm</c> on a
/// contiguous transposed copy, in fp32 and bf16. The FLOP-weighted best of each dtype is the "peak" that the
/// utilisation figure of <see cref="MfuBench"/> divides by.
/// </summary>
internal static class MatmulBench
{
    /// <summary>One matmul shape: rows, inner size, columns, and how often a training step runs it.</summary>
    public readonly record struct Shape(long M, long K, long N, int Count)
    {
        /// <summary>Floating-point operations of one product.</summary>
        public double Flops => 2.0 * M * K * N;
    }

    /// <summary>
    /// The products a forward + backward pass of <paramref name="model"/> runs at <paramref name="rows"/> rows: for each
    /// Linear (in K, out N): forward (M x K · K x N), input gradient (M x N · N x K), weight gradient (N x M · M x K).
    /// </summary>
    public static IReadOnlyList<Shape> TrainingShapes(nn.Module model, long rows)
    {
        var counts = new Dictionary<(long K, long N), int>();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not Linear linear) continue;
            var weight = linear.weight!;
            var key = (weight.shape[1], weight.shape[0]);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        var shapes = new List<Shape>();
        foreach (var ((k, n), count) in counts)
        {
            shapes.Add(new Shape(rows, k, n, count));   // forward
            shapes.Add(new Shape(rows, n, k, count));   // input gradient
            shapes.Add(new Shape(n, rows, k, count));   // weight gradient
        }
        return shapes;
    }

    /// <summary>The routes compared; each computes a (M x K) · (K x N) product from an (M x K) input and an (N x K) weight.</summary>
    public static readonly (string Name, Func<Tensor, Tensor, Tensor> Product)[] Routes =
    [
        ("linear", (x, w) => nn.functional.linear(x, w)),
        ("mm(x, w.t())", (x, w) => x.mm(w.t())),
        ("mm(x, wT contiguous)", (x, wt) => x.mm(wt)),
        ("oneDNN (1x1 convolution)", OneDnnProduct),
    ];

    /// <summary>
    /// The product through oneDNN, which libtorch uses for fp32 convolutions but not for fp32 matmuls (those go to
    /// MKL): a 1x1 convolution over 16 channels-first images made of the rows (libtorch takes its own im2col + BLAS
    /// path below 16 images on one thread). A copy-free channels-last view of the rows was tried first and gave
    /// wrong products for some shapes in libtorch 2.10 (2048 rows, 256 -> 512), so the rows are transposed into place.
    /// </summary>
    private static Tensor OneDnnProduct(Tensor x, Tensor w)
    {
        const int images = 16;
        long m = x.shape[0], k = x.shape[1], n = w.shape[0];
        if (m % images != 0) return nn.functional.linear(x, w);
        var image = x.reshape(images, m / images, k).transpose(1, 2).contiguous().unsqueeze(-1);
        var output = nn.functional.conv2d(image, w.view(n, k, 1, 1));
        return output.squeeze(-1).transpose(1, 2).reshape(m, n);
    }

    /// <summary>Measured GFLOP/s of the best route per dtype over <paramref name="shapes"/> (FLOP-weighted by each shape's count).</summary>
    public static Dictionary<ScalarType, double> PeakGflops(IReadOnlyList<Shape> shapes, int warmup, int runs, ResultTable? table = null)
    {
        var peak = new Dictionary<ScalarType, double>();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            var totalMs = new double[Routes.Length];
            double totalFlops = 0;
            foreach (var shape in shapes)
            {
                using var scope = torch.NewDisposeScope();
                var x = torch.randn(shape.M, shape.K).to_type(dtype);
                var w = torch.randn(shape.N, shape.K).to_type(dtype);
                var wt = w.t().contiguous();
                totalFlops += shape.Flops * shape.Count;
                for (int r = 0; r < Routes.Length; r++)
                {
                    var route = Routes[r];
                    var weight = route.Name.Contains("contiguous", StringComparison.Ordinal) ? wt : w;
                    var times = Timing.Measure(() => { using var s = torch.NewDisposeScope(); route.Product(x, weight); }, warmup, runs);
                    double ms = Timing.Median(times);
                    totalMs[r] += ms * shape.Count;
                    table?.Add(dtype.ToString(), route.Name, shape.M, shape.K, shape.N, shape.Count, ms, shape.Flops / (ms / 1000) / 1e9);
                }
            }
            int best = Array.IndexOf(totalMs, totalMs.Min());
            peak[dtype] = totalFlops / (totalMs[best] / 1000) / 1e9;
            for (int r = 0; r < Routes.Length; r++)
                table?.Add(dtype.ToString(), Routes[r].Name, "all", "", "", "", totalMs[r], totalFlops / (totalMs[r] / 1000) / 1e9);
        }
        return peak;
    }

    /// <summary>The <c>matmul</c> mode: every route at the bench (or --preset) model's training shapes.</summary>
    public static void Run(BenchOptions options, Megalodon.ML.Model.MegalodonConfig config)
    {
        using var model = new Megalodon.ML.Model.MegalodonModel(config);
        int length = options.Lengths[0];
        var shapes = TrainingShapes(model, (long)Math.Max(1, options.Batch) * length);
        var table = new ResultTable("matmul", "dtype", "route", "M", "K", "N", "per step", "median ms", "GFLOP/s");
        var peak = PeakGflops(shapes, options.Warmup >= 0 ? options.Warmup : 2, options.Runs > 0 ? options.Runs : 5, table);
        table.Emit(options.OutDir);
        foreach (var (dtype, gflops) in peak)
            Console.WriteLine($"peak at the model's training shapes, {dtype}: {gflops:F1} GFLOP/s");
    }
}
