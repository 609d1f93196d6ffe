using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Model;

/// <summary>Float64 central finite differences against autograd, for each custom piece of the architecture.</summary>
[TestClass]
public sealed class GradientCheckTests
{
    [TestMethod]
    public void CemaGradientsMatchFiniteDifferences()
    {
        manual_seed(1);
        var cema = new ComplexExponentialMovingAverage(3, 2);
        cema.to(ScalarType.Float64);
        Perturb(cema);
        var u = randn(2, 3, 10, ScalarType.Float64).requires_grad_();
        CheckGradients(cema, u, () => cema.forward(u));
    }

    [TestMethod]
    public void TimestepNormGradientsMatchFiniteDifferences()
    {
        manual_seed(2);
        var norm = new TimestepNorm(6, 3, 1e-5);
        norm.to(ScalarType.Float64);
        Perturb(norm);
        var x = (randn(2, 7, 6, ScalarType.Float64) * 1.5 + 0.5).requires_grad_();
        CheckGradients(norm, x, () => norm.forward(x));
    }

    [TestMethod]
    public void AttentionLayerGradientsMatchFiniteDifferences()
    {
        manual_seed(3);
        var config = StreamingTests.TinyConfig(chunk: 4) with { NumLayers = 1, VocabSize = 11 };
        var model = new MegalodonModel(config);
        model.to(ScalarType.Float64);
        Perturb(model);
        var layer = model.Blocks[0].Attention;
        var rope = new RotaryEmbedding(config.HeadZDim, config.EffectiveRopeBase);
        rope.to(ScalarType.Float64);
        var x = randn(1, 8, config.ModelDim, ScalarType.Float64).requires_grad_();   // two chunks
        CheckGradients(layer, x, () => layer.Forward(x, rope, null, null));
    }

    private static void Perturb(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, p) in module.named_parameters()) { using var noise = randn_like(p) * 0.1; p.add_(noise); }
    }

    /// <summary>Loss = Σ w ⊙ f with fixed random w; compares autograd with central differences on every parameter element and the input.</summary>
    private static void CheckGradients(nn.Module module, Tensor input, Func<Tensor> f)
    {
        using var scope = NewDisposeScope();
        var probe = randn_like(f().detach());
        Tensor Loss() => (f() * probe).sum();

        module.zero_grad();
        Loss().backward();
        var targets = module.named_parameters().Select(kv => (name: kv.name, tensor: (Tensor)kv.parameter)).Append((name: "input", tensor: input)).ToList();
        var analytic = targets.ToDictionary(t => t.name, t => t.tensor.grad!.detach().clone());

        const double h = 1e-6;
        double worst = 0;
        string worstName = "";
        using var noGrad = no_grad();
        foreach (var (name, tensor) in targets)
        {
            var flat = tensor.view(-1);
            var grad = analytic[name].view(-1);
            for (long i = 0; i < flat.shape[0]; i++)
            {
                double original = flat[i].item<double>();
                flat[i] = original + h;
                double plus = Loss().item<double>();
                flat[i] = original - h;
                double minus = Loss().item<double>();
                flat[i] = original;
                double numeric = (plus - minus) / (2 * h);
                double error = Math.Abs(numeric - grad[i].item<double>()) / Math.Max(1.0, Math.Abs(numeric));
                if (error > worst) { worst = error; worstName = $"{name}[{i}]"; }
            }
        }
        Assert.IsLessThan(1e-6, worst, $"worst gradient error {worst:E2} at {worstName}");
    }
}
