using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Model;

[TestClass]
public sealed class StreamingTests
{
    internal static MegalodonConfig TinyConfig(int chunk = 8) => new()
    {
        NumLayers = 2, ModelDim = 16, ZDim = 8, ValueDim = 24, NumHeads = 2, FfnHiddenDim = 32, CemaNDim = 4,
        ChunkSize = chunk, NormNumGroups = 4, SwiGlu = true, RescaleNffn = true, VocabSize = 23,
    };

    internal static MegalodonModel PerturbedModel(MegalodonConfig config, int seed)
    {
        manual_seed(seed);
        var model = new MegalodonModel(config);
        using var noGrad = no_grad();
        // The reference starts norms and Q/K scales at zero; perturb them so every path carries signal.
        foreach (var (_, p) in model.named_parameters()) { using var noise = randn_like(p) * 0.05; p.add_(noise); }
        model.eval();
        return model;
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    public void RandomSplitsEqualFullForward(int seed)
    {
        using var scope = NewDisposeScope();
        var model = PerturbedModel(TinyConfig(), seed);
        var random = new Random(seed);
        var tokens = randint(0, 23, [2, 40], dtype: ScalarType.Int64);
        var full = model.forward(tokens);
        using var state = model.NewState(2);
        var pieces = new List<Tensor>();
        int start = 0;
        while (start < 40)
        {
            int len = Math.Min(40 - start, random.Next(1, 20));
            pieces.Add(model.Step(tokens.narrow(1, start, len), state));
            start += len;
        }
        var diff = (cat(pieces, 1) - full).abs().max().item<float>();
        Assert.IsLessThan(1e-5f, diff, $"random split vs full forward: {diff}");
        Assert.AreEqual(40L, state.Position);
    }

    [TestMethod]
    public void TokenByTokenEqualsFullForward()
    {
        using var scope = NewDisposeScope();
        var model = PerturbedModel(TinyConfig(), 9);
        var tokens = randint(0, 23, [1, 24], dtype: ScalarType.Int64);
        var full = model.forward(tokens);
        using var state = model.NewState(1);
        var pieces = Enumerable.Range(0, 24).Select(t => model.Step(tokens.narrow(1, t, 1), state)).ToList();
        var diff = (cat(pieces, 1) - full).abs().max().item<float>();
        Assert.IsLessThan(1e-5f, diff, $"token by token vs full forward: {diff}");
    }

    [TestMethod]
    public void StateStaysBoundedByTheChunk()
    {
        using var scope = NewDisposeScope();
        var model = PerturbedModel(TinyConfig(chunk: 8), 2);
        using var state = model.NewState(1);
        for (int i = 0; i < 30; i++)
            model.Step(randint(0, 23, [1, 7], dtype: ScalarType.Int64), state);
        Assert.AreEqual(210L, state.Position);
        Assert.IsLessThan(8L, state.Layers[0].Attention.Length);
        Assert.AreEqual(210L % 8, state.Layers[0].Attention.Length);
    }

    [TestMethod]
    public void CloneBranchesIndependently()
    {
        using var scope = NewDisposeScope();
        var model = PerturbedModel(TinyConfig(), 4);
        var prompt = randint(0, 23, [1, 11], dtype: ScalarType.Int64);
        var next = randint(0, 23, [1, 3], dtype: ScalarType.Int64);
        using var state = model.NewState(1);
        model.Step(prompt, state);
        using var branch = state.Clone();
        var a = model.Step(next, state);
        var b = model.Step(next, branch);
        Assert.AreEqual(0f, (a - b).abs().max().item<float>());
    }

    [TestMethod]
    public void StepRejectsWrongBatch()
    {
        var model = PerturbedModel(TinyConfig(), 1);
        using var state = model.NewState(2);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Step(zeros(3, 4, ScalarType.Int64), state));
        StringAssert.Contains(ex.Message, "batch size 2");
    }
}
