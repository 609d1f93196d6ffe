using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Model;

[TestClass]
public sealed class CemaTests
{
    private static ComplexExponentialMovingAverage NewCema(int dim, int order, int seed)
    {
        manual_seed(seed);
        var cema = new ComplexExponentialMovingAverage(dim, order);
        using var noGrad = no_grad();
        // Give γ an imaginary part too (the reference initialises it to zero, which would hide sign errors).
        foreach (var (name, p) in cema.named_parameters())
            if (name == "gamma") { using var noise = randn_like(p) * 0.3; p.add_(noise); }
        return cema;
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(64)]
    [DataRow(300)]
    public void FftPathEqualsSequentialRecurrence(int length)
    {
        using var scope = NewDisposeScope();
        var cema = NewCema(dim: 6, order: 4, seed: length);
        var u = randn(2, 6, length);
        var fftOut = cema.forward(u);
        var sequential = cema.ForwardSequential(u);
        var diff = (fftOut - sequential).abs().max().item<float>();
        Assert.IsLessThan(1e-5f, diff, $"FFT vs recurrence at L={length}: {diff}");
    }

    [TestMethod]
    public void SegmentsWithCarriedStateEqualOneCall()
    {
        using var scope = NewDisposeScope();
        var cema = NewCema(dim: 5, order: 3, seed: 11);
        var u = randn(2, 5, 90);
        var whole = cema.forward(u);
        Tensor? hidden = null;
        var pieces = new List<Tensor>();
        int start = 0;
        foreach (int len in new[] { 1, 33, 2, 1, 40, 13 })
        {
            pieces.Add(cema.Forward(u.narrow(2, start, len), hidden, out var next, returnState: true));
            hidden = next;
            start += len;
        }
        var diff = (cat(pieces, 2) - whole).abs().max().item<float>();
        Assert.IsLessThan(1e-5f, diff, $"streamed vs whole: {diff}");
    }

    [TestMethod]
    public void StateAfterSegmentEqualsRecurrenceState()
    {
        using var scope = NewDisposeScope();
        var cema = NewCema(dim: 4, order: 5, seed: 3);
        var u = randn(1, 4, 37);
        cema.Forward(u, null, out var fromClosedForm, returnState: true);
        Tensor? stepwise = null;
        for (int t = 0; t < 37; t++)
        {
            cema.Forward(u.narrow(2, t, 1), stepwise, out var next, returnState: true);
            stepwise = next;
        }
        var diff = (fromClosedForm! - stepwise!).abs().max().item<float>();
        Assert.IsLessThan(1e-5f, diff, $"closed-form state vs recurrence: {diff}");
    }

    [TestMethod]
    public void PowerTableKernelEqualsThePlainKernelOnLongSequences()
    {
        using var scope = NewDisposeScope();
        var cema = NewCema(dim: 4, order: 3, seed: 21);
        const int length = 3000;
        var u = randn(1, 4, length);
        var fast = cema.forward(u);

        // The plain path in float64: k_j = Re Σ_n p γ q^j with q^j = exp(j·log q), then a direct causal convolution via FFT.
        var named = cema.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.detach().to_type(ScalarType.Float64));
        var p = named["alpha"].squeeze(-1).sigmoid();
        var logMagnitude = (1 - p * named["delta"].squeeze(-1).sigmoid()).log();
        var angle = named["theta"].view(4, 1).sigmoid() * (2 * Math.PI / 3) * arange(1, 4, ScalarType.Float64).view(1, 3);
        var gamma = complex(named["gamma"].select(-1, 0), named["gamma"].select(-1, 1)) * Math.Sqrt(1.0 / 3);
        var j = arange(0, length, ScalarType.Float64).view(1, 1, -1);
        var logQ = complex(logMagnitude, angle).unsqueeze(-1);
        var kernel = ((p * gamma).unsqueeze(-1) * (logQ * j.to_type(ScalarType.ComplexFloat64)).exp()).real.sum(1);   // (D,L)
        var u64 = u.to_type(ScalarType.Float64);
        var conv = fft.irfft(fft.rfft(u64, 8192) * fft.rfft(kernel, 8192), 8192).narrow(-1, 0, length);
        var plain = conv + named["omega"] * u64;

        double diff = (fast.to_type(ScalarType.Float64) - plain).abs().max().item<double>();
        Assert.IsLessThan(1e-4, diff, $"power-table kernel vs plain kernel at L={length}: {diff:E2}");
    }
}
