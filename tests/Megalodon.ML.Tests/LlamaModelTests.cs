using Megalodon.ML.Baselines;
using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests;

[TestClass]
public sealed class LlamaModelTests
{
    private static LlamaConfig Small => new() { VocabSize = 50, ModelDim = 32, NumLayers = 2, NumHeads = 4, FfnHiddenDim = 48 };

    [TestMethod]
    public void ForwardMapsTokensToLogits()
    {
        torch.manual_seed(1);
        using var model = new LlamaModel(Small);
        using var scope = torch.NewDisposeScope();
        var tokens = torch.randint(0, 50, [3, 17], dtype: ScalarType.Int64);
        var logits = model.forward(tokens);
        CollectionAssert.AreEqual(new long[] { 3, 17, 50 }, logits.shape);
        Assert.AreEqual(ScalarType.Float32, logits.dtype);
        Assert.IsTrue(logits.isfinite().all().item<bool>());
    }

    [TestMethod]
    public void ChangingAFutureTokenLeavesEarlierLogitsUnchanged()
    {
        torch.manual_seed(2);
        using var model = new LlamaModel(Small);
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var tokens = torch.randint(0, 50, [2, 24], dtype: ScalarType.Int64);
        var changed = tokens.clone();
        changed[.., 15] = (changed[.., 15] + 7) % 50;
        var a = model.forward(tokens);
        var b = model.forward(changed);
        Assert.AreEqual(0.0, (a[.., ..15] - b[.., ..15]).abs().max().item<float>(), 1e-6, "positions before the change moved");
        Assert.IsGreaterThan(1e-4, (a[.., 15..] - b[.., 15..]).abs().max().item<float>(), "the change had no effect at or after its position");
    }

    [TestMethod]
    public void BackwardReachesEveryParameter()
    {
        torch.manual_seed(3);
        using var model = new LlamaModel(Small);
        using var scope = torch.NewDisposeScope();
        var tokens = torch.randint(0, 50, [2, 9], dtype: ScalarType.Int64);
        var logits = model.forward(tokens);
        var loss = nn.functional.cross_entropy(logits.reshape(-1, 50), tokens.reshape(-1));
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
            Assert.IsTrue(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"no gradient for {name}");
    }

    [TestMethod]
    public void ParameterCountFormulaMatchesTheModel()
    {
        using var model = new LlamaModel(Small);
        Assert.AreEqual(Small.ParameterCount(), model.ParameterCount());
    }

    [TestMethod]
    public void MatchingParameterCountIsWithinOnePercent()
    {
        foreach (long target in new long[] { 7_747_328, 1_000_000, 250_000 })
        {
            var config = LlamaConfig.MatchingParameterCount(target, vocabSize: 1000, modelDim: 64, numLayers: 3, numHeads: 4);
            using var model = new LlamaModel(config);
            double error = Math.Abs(model.ParameterCount() - target) / (double)target;
            Assert.IsLessThan(0.01, error, $"target {target:N0}, got {model.ParameterCount():N0} (F={config.FfnHiddenDim})");
        }
    }

    [TestMethod]
    public void MatchingParameterCountRejectsTooSmallTargets()
    {
        Assert.ThrowsExactly<ArgumentException>(() => LlamaConfig.MatchingParameterCount(1000, vocabSize: 1000, modelDim: 64, numLayers: 3, numHeads: 4));
    }

    [TestMethod]
    public void MatchingMegalodonBenchPresetIsWithinOnePercent()
    {
        var bench = MegalodonPresets.Bench();
        var llama = LlamaConfig.MatchingMegalodon(bench);
        Assert.AreEqual(bench.ModelDim, llama.ModelDim);
        Assert.AreEqual(bench.NumLayers, llama.NumLayers);
        Assert.AreEqual(4, llama.NumHeads);
        long target = MegalodonParameterFormula.Count(bench);
        Assert.AreEqual(7_747_328L, target, "the spec's per-layer formula for the bench preset");
        Assert.IsLessThan(0.01, Math.Abs(llama.ParameterCount() - target) / (double)target);
    }

    [TestMethod]
    public void MegalodonParameterFormulaMatchesTheModel()
    {
        foreach (var config in new[] { MegalodonPresets.Tiny(), MegalodonPresets.Bench(), MegalodonPresets.Tiny() with { SwiGlu = false, ShareEmb = true, RescaleNffn = true } })
        {
            using var model = new MegalodonModel(config);
            long counted = model.parameters().Sum(p => p.numel());
            Assert.AreEqual(counted, MegalodonParameterFormula.Count(config), $"config {config}");
        }
    }
}
