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
}
