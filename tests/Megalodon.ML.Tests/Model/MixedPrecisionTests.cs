using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Model;

/// <summary>bf16 projections on fp32 master weights. On CPU libtorch computes bf16 matmuls, so this runs everywhere.</summary>
[TestClass]
public sealed class MixedPrecisionTests
{
    [TestMethod]
    public void Bf16ForwardStaysCloseToFp32AndKeepsFp32Logits()
    {
        using var scope = NewDisposeScope();
        var model = StreamingTests.PerturbedModel(StreamingTests.TinyConfig(), 8);
        var tokens = randint(0, 23, [2, 16], dtype: ScalarType.Int64);
        var reference = model.forward(tokens);
        model.Precision.MatmulType = ScalarType.BFloat16;
        var mixed = model.forward(tokens);
        Assert.AreEqual(ScalarType.Float32, mixed.dtype);
        double diff = (mixed - reference).abs().max().item<float>();
        double scale = reference.abs().max().item<float>();
        // bf16 keeps 8 bits of mantissa: expect about 1% of the logit scale, far from a broken path.
        Assert.IsLessThan(0.05 * scale, diff, $"bf16 vs fp32 logits differ by {diff} (scale {scale})");
        Assert.IsGreaterThan(0.0, diff, "the bf16 path must actually run in bf16");
    }

    [TestMethod]
    public void Bf16HeadMultipliesInBf16AndReturnsFp32Logits()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var hidden = randn(2, 3, 8);
        var weight = randn(11, 8);
        var policy = new PrecisionPolicy { MatmulType = ScalarType.BFloat16 };
        var logits = policy.Logits(hidden, weight);
        Assert.AreEqual(ScalarType.Float32, logits.dtype);
        var expected = nn.functional.linear(hidden.to_type(ScalarType.BFloat16), weight.to_type(ScalarType.BFloat16)).to_type(ScalarType.Float32);
        Assert.AreEqual(0.0, (logits - expected).abs().max().item<float>(), 0.0, "the product runs on bf16 operands");
        var full = new PrecisionPolicy().Logits(hidden, weight);
        Assert.IsGreaterThan(0.0, (full - logits).abs().max().item<float>(), "without a matmul type the head stays fp32");
        var fullHead = new PrecisionPolicy { MatmulType = ScalarType.BFloat16, FullPrecisionHead = true }.Logits(hidden, weight);
        Assert.AreEqual(0.0, (fullHead - full).abs().max().item<float>(), 0.0, "FullPrecisionHead keeps the product in fp32");

        var llama = new Megalodon.ML.Baselines.LlamaModel(new Megalodon.ML.Baselines.LlamaConfig { VocabSize = 23, ModelDim = 16, NumLayers = 1, NumHeads = 2, FfnHiddenDim = 32 });
        llama.Precision.MatmulType = ScalarType.BFloat16;
        Assert.AreEqual(ScalarType.Float32, llama.forward(randint(0, 23, [1, 8], dtype: ScalarType.Int64)).dtype);
    }

    [TestMethod]
    public void Bf16TrainingStepsLowerTheLossAndUpdateFp32Weights()
    {
        manual_seed(3);
        var model = new MegalodonModel(StreamingTests.TinyConfig());
        model.Precision.MatmulType = ScalarType.BFloat16;
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-2);
        var tokens = randint(0, 23, [4, 16], dtype: ScalarType.Int64);
        float first = 0, last = 0;
        for (int step = 0; step < 15; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.forward(tokens);
            var loss = nn.functional.cross_entropy(logits[.., ..15].reshape(-1, 23), tokens[.., 1..].reshape(-1));
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.IsLessThan(first * 0.8f, last, $"loss {first} -> {last}");
        Assert.IsTrue(model.parameters().All(p => p.dtype == ScalarType.Float32), "master weights stay fp32");
    }
}
