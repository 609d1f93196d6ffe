using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Model;

/// <summary>
/// The fused attention kernel (<c>scaled_dot_product_attention</c>, q pre-scaled by sqrt(d), causal within each
/// chunk) computes the explicit path's function: outputs and gradients agree on CPU in fp32.
/// </summary>
[TestClass]
public sealed class FusedAttentionTests
{
    private const double Tolerance = 1e-5;

    [TestMethod]
    [DataRow(AttentionKernel.Fused, 12)]
    [DataRow(AttentionKernel.FusedSplitValues, 24)]
    public void ChunkedAttentionKernelsAgreeOnOutputsAndInputGradients(AttentionKernel kernel, int valueWidth)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var rope = new RotaryEmbedding(8, 10000);
        // 3 chunks of 8, 2 heads, dz 8: RoPE restarts per chunk and nothing crosses a boundary; dv 24 splits in 3.
        var (explicitOut, explicitGrads) = RunAttention(AttentionKernel.Explicit, rope, valueWidth, seed: 9);
        var (fusedOut, fusedGrads) = RunAttention(kernel, rope, valueWidth, seed: 9);
        AssertClose(explicitOut, fusedOut, "attention output");
        for (int i = 0; i < 3; i++)
            AssertClose(explicitGrads[i], fusedGrads[i], "gradient of " + "qkv"[i]);
    }

    [TestMethod]
    [DataRow(AttentionKernel.Fused)]
    [DataRow(AttentionKernel.FusedSplitValues)]   // the tiny config's heads: q/k 4 wide, values 12 wide
    public void ModelKernelsAgreeOnLogitsAndParameterGradientsOverSeveralChunks(AttentionKernel kernel)
    {
        using var scope = NewDisposeScope();
        var config = StreamingTests.TinyConfig(chunk: 8);
        var model = StreamingTests.PerturbedModel(config, 21);
        model.train();   // every dropout is 0 in the tiny config
        var tokens = randint(0, config.VocabSize, [2, 24], dtype: ScalarType.Int64);   // 3 chunks

        model.Attention.Kernel = AttentionKernel.Explicit;
        var (explicitLogits, explicitGrads) = LogitsAndGradients(model, tokens);
        model.Attention.Kernel = kernel;
        var (fusedLogits, fusedGrads) = LogitsAndGradients(model, tokens);

        AssertClose(explicitLogits, fusedLogits, "logits");
        Assert.HasCount(explicitGrads.Count, fusedGrads);
        foreach (var (name, grad) in explicitGrads)
            AssertClose(grad, fusedGrads[name], "gradient of " + name);
    }

    [TestMethod]
    public void AutoIsExplicitOnEveryDeviceAndTheDefault()
    {
        var policy = new AttentionPolicy();
        Assert.AreEqual(AttentionKernel.Auto, policy.Kernel);
        Assert.AreEqual(AttentionKernel.Explicit, policy.For(CPU));
        Assert.AreEqual(AttentionKernel.Explicit, policy.For(new Device(DeviceType.CUDA, 0)));   // measured faster on an H200
        policy.Kernel = AttentionKernel.Fused;
        Assert.AreEqual(AttentionKernel.Fused, policy.For(new Device(DeviceType.CUDA, 0)));
        policy.Kernel = AttentionKernel.Explicit;
        Assert.AreEqual(AttentionKernel.Explicit, policy.For(new Device(DeviceType.CUDA, 0)));
    }

    [TestMethod]
    public void StreamingPrefillWithTheFusedKernelEqualsTheFullForward()
    {
        using var scope = NewDisposeScope();
        var config = StreamingTests.TinyConfig(chunk: 8);
        var model = StreamingTests.PerturbedModel(config, 4);
        var tokens = randint(0, config.VocabSize, [1, 24], dtype: ScalarType.Int64);
        using var noGrad = no_grad();
        model.Attention.Kernel = AttentionKernel.Explicit;
        var full = model.forward(tokens);
        model.Attention.Kernel = AttentionKernel.Fused;
        using var state = model.NewState(1);
        // Two whole chunks from an empty cache take the fused prefill; the last chunk comes as 3 + 5 cached tokens.
        var streamed = cat([
            model.Step(tokens.narrow(1, 0, 16).contiguous(), state),
            model.Step(tokens.narrow(1, 16, 3).contiguous(), state),
            model.Step(tokens.narrow(1, 19, 5).contiguous(), state)], 1);
        AssertClose(full, streamed, "streamed logits");
    }

    private static (Tensor Output, Tensor[] Grads) RunAttention(AttentionKernel kernel, RotaryEmbedding rope, int valueWidth, int seed)
    {
        manual_seed(seed);
        var q = randn(2, 24, 2, 8).requires_grad_();
        var k = randn(2, 24, 2, 8).requires_grad_();
        var v = randn(2, 24, 2, valueWidth).requires_grad_();
        var output = ChunkedAttention.Full(q, k, v, chunkSize: 8, rope, dropout: 0, training: true, kernel);
        using var weights = randn(output.shape);   // a loss that weights every output differently
        (output * weights).sum().backward();
        return (output.detach(), [q.grad!.clone(), k.grad!.clone(), v.grad!.clone()]);
    }

    private static (Tensor Logits, Dictionary<string, Tensor> Grads) LogitsAndGradients(MegalodonModel model, Tensor tokens)
    {
        model.zero_grad();
        var logits = model.forward(tokens);
        var loss = nn.functional.cross_entropy(logits.narrow(1, 0, 23).reshape(-1, logits.shape[2]), tokens.narrow(1, 1, 23).reshape(-1));
        loss.backward();
        var grads = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in model.named_parameters())
            if (parameter.grad is { } grad) grads[name] = grad.clone();
        return (logits.detach(), grads);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.IsTrue(expected.shape.SequenceEqual(actual.shape), $"{what}: shapes differ");
        double diff = (expected - actual).abs().max().item<float>();
        Console.WriteLine($"{what}: max |fused - explicit| = {diff:G3}");
        Assert.IsLessThan(Tolerance, diff, $"{what}: fused vs explicit differ by {diff}");
    }
}
