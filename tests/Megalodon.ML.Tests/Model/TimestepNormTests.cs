using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Model;

[TestClass]
public sealed class TimestepNormTests
{
    private static TimestepNorm NewNorm(int dim, int groups, int seed)
    {
        manual_seed(seed);
        var norm = new TimestepNorm(dim, groups, 1e-5);
        using var noGrad = no_grad();
        foreach (var (_, p) in norm.named_parameters()) { using var noise = randn_like(p) * 0.3; p.add_(noise); }
        return norm;
    }

    [TestMethod]
    public void IsCausalGroupNormOverAllStepsSoFar()
    {
        using var scope = NewDisposeScope();
        var norm = new TimestepNorm(4, 2, 1e-5);
        var x = randn(1, 5, 4, ScalarType.Float64);
        var y = norm.forward(x);
        // Step 3, group 1 (features 2,3): statistics over all elements of that group in steps 0..3.
        var seen = x.narrow(1, 0, 4).narrow(2, 2, 2);
        var mean = seen.mean();
        var variance = (seen - mean).square().mean();
        var expected = (x[0, 3, 2] - mean) / (variance + 1e-5).sqrt();
        Assert.AreEqual(expected.item<double>(), y[0, 3, 2].item<double>(), 1e-9);
    }

    [TestMethod]
    public void SegmentsWithCarriedStateEqualOneCall()
    {
        using var scope = NewDisposeScope();
        var norm = NewNorm(8, 4, 5);
        var x = randn(3, 50, 8) * 2 + 1;
        var whole = norm.forward(x);
        TimestepNormState? state = null;
        var pieces = new List<Tensor>();
        int start = 0;
        foreach (int len in new[] { 1, 17, 1, 1, 30 })
        {
            pieces.Add(norm.Forward(x.narrow(1, start, len), state, out var next, returnState: true));
            state = next;
            start += len;
        }
        var diff = (cat(pieces, 1) - whole).abs().max().item<float>();
        Assert.IsLessThan(1e-5f, diff, $"streamed vs whole: {diff}");
        Assert.AreEqual(50L, state!.Count[0].item<long>());
    }

    [TestMethod]
    public void MillionStepStreamStaysWithin1e4OfFloat64()
    {
        const int dim = 4, groups = 2, steps = 1_000_000, segment = 50_000;
        using var norm = new TimestepNorm(dim, groups, 1e-5);
        // A stream whose level and spread drift, so stale or rounded statistics would show.
        var random = new Random(42);
        var data = new float[steps * dim];
        for (int t = 0; t < steps; t++)
            for (int f = 0; f < dim; f++)
                data[t * dim + f] = (float)(3.0 + Math.Sin(t / 20000.0) + (1 + f) * 0.5 * NextGaussian(random));

        // Float64 reference: a running (Welford) mean and variance per group, computed in plain C#.
        var count = new long[groups];
        var mean = new double[groups];
        var m2 = new double[groups];
        double worst = 0;
        TimestepNormState? state = null;
        for (int start = 0; start < steps; start += segment)
        {
            using var scope = NewDisposeScope();
            var x = tensor(data.AsSpan(start * dim, segment * dim).ToArray()).view(1, segment, dim);
            var y = norm.Forward(x, state, out var next, returnState: true).data<float>().ToArray();
            state?.Dispose();
            state = next;
            for (int t = 0; t < segment; t++)
            {
                for (int g = 0; g < groups; g++)
                    for (int f = g * dim / groups; f < (g + 1) * dim / groups; f++)
                    {
                        double v = data[(start + t) * dim + f];
                        count[g]++;
                        double delta = v - mean[g];
                        mean[g] += delta / count[g];
                        m2[g] += delta * (v - mean[g]);
                    }
                for (int f = 0; f < dim; f++)
                {
                    int g = f * groups / dim;
                    double expected = (data[(start + t) * dim + f] - mean[g]) / Math.Sqrt(m2[g] / count[g] + 1e-5);
                    worst = Math.Max(worst, Math.Abs(expected - y[t * dim + f]));
                }
            }
        }
        state?.Dispose();
        Assert.IsLessThan(1e-4, worst, $"worst deviation from float64 over {steps:N0} steps: {worst:E2}");
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
