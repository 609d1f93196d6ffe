using Megalodon.ML.Model;

namespace Megalodon.ML.Tests.Interop;

[TestClass]
public sealed class ReferenceConfigTests
{
    private const string Fields = """
        "num_layers": 3, "model_dim": 64, "z_dim": 32, "value_dim": 128, "num_heads": 2, "ffn_hidden_dim": 96,
        "cema_ndim": 4, "chunk_size": 16, "efficient_attn": null, "init_mode": "he", "vocab_size": 50, "output_size": -1,
        "norm_num_groups": 8, "norm_affine": true, "norm_eps": 1e-05, "rope_base": null, "dropout": 0.0,
        "hidden_dropout": 0.0, "attention_dropout": 0.0, "swiglu": true, "rescale_nffn": false, "scale_emb": false,
        "share_emb": true, "layerwise_ckpt": false
        """;

    [TestMethod]
    public void NestedAndFlatConfigsReadTheSame()
    {
        var flat = MegalodonConfig.FromJson("{" + Fields + "}");
        var nested = MegalodonConfig.FromJson($$"""
            {"model": { {{Fields}} }, "tokenizer": {"path": "/nowhere/tokenizer.model", "additional_vocab_size": 0},
             "optim": {"lr": 0.001}, "seed": 1, "model_parallel_size": 1}
            """);
        Assert.AreEqual(flat, nested);
        Assert.AreEqual(3, flat.NumLayers);
        Assert.IsTrue(flat.ShareEmb);
        Assert.AreEqual(flat, MegalodonConfig.FromJson(flat.ToJson()));
    }

    [TestMethod]
    public void AMissingFieldTakesTheReferenceModelConfDefault()
    {
        // The reference's ModelConf defaults (megalodon/config.py at cff8ba5).
        var config = MegalodonConfig.FromJson("""{"vocab_size": 100}""");
        Assert.AreEqual(8, config.NumLayers);
        Assert.AreEqual(1024, config.ModelDim);
        Assert.AreEqual(256, config.ZDim);
        Assert.AreEqual(2048, config.ValueDim);
        Assert.AreEqual(1, config.NumHeads);
        Assert.AreEqual(2048, config.FfnHiddenDim);
        Assert.AreEqual(16, config.CemaNDim);
        Assert.AreEqual(2048, config.ChunkSize);
        Assert.IsNull(config.EfficientAttn);
        Assert.AreEqual("he", config.InitMode);
        Assert.AreEqual(-1, config.OutputSize);
        Assert.AreEqual(32, config.NormNumGroups);
        Assert.IsTrue(config.NormAffine);
        Assert.AreEqual(1e-5, config.NormEps);
        Assert.IsNull(config.RopeBase);
        Assert.AreEqual(0.0, config.Dropout + config.HiddenDropout + config.AttentionDropout);
        Assert.IsFalse(config.SwiGlu || config.RescaleNffn || config.ScaleEmb || config.ShareEmb || config.LayerwiseCkpt);
        Assert.AreEqual(8, new MegalodonConfig { VocabSize = 5 }.NumLayers);
    }

    [TestMethod]
    public void AMissingVocabSizeIsAnErrorUnlessATokenizerGivesIt()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => MegalodonConfig.FromJson("""{"model": {"num_layers": 2}}"""));
        StringAssert.Contains(ex.Message, "vocab_size");
        Assert.AreEqual(320, MegalodonConfig.FromJson("""{"model": {"num_layers": 2, "vocab_size": -1}}""", tokenizerVocabSize: 320).VocabSize);
        Assert.AreEqual(50, MegalodonConfig.FromJson("""{"vocab_size": 50}""", tokenizerVocabSize: 320).VocabSize);
        Assert.ThrowsExactly<ArgumentException>(() => new MegalodonConfig().Validate());
    }

    [TestMethod]
    [DataRow("swift")]
    [DataRow("fused")]
    public void TheReferenceAttentionKernelsAreAcceptedAndComputeThePlainPath(string kernel)
    {
        var fields = Fields.Replace("\"efficient_attn\": null", $"\"efficient_attn\": \"{kernel}\"");
        var config = MegalodonConfig.FromJson("{\"model\": {" + fields + "}}");
        Assert.AreEqual(kernel, config.EfficientAttn);
        StringAssert.Contains(config.ToJson(), $"\"{kernel}\"");
        var plain = config with { EfficientAttn = null };
        using var a = InteropModels.Create(plain, seed: 1);
        using var b = InteropModels.Create(config, seed: 1);
        using var tokens = TorchSharp.torch.arange(0, 32, dtype: TorchSharp.torch.ScalarType.Int64).remainder(50).view(1, 32);
        a.eval(); b.eval();
        using var noGrad = TorchSharp.torch.no_grad();
        Assert.IsTrue(a.forward(tokens).eq(b.forward(tokens)).all().item<bool>());
    }

    [TestMethod]
    public void AnUnknownAttentionKernelAndAConfigFileErrorsNameTheProblem()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => MegalodonConfig.FromJson("""{"vocab_size": 9, "efficient_attn": "flash"}"""));
        StringAssert.Contains(ex.Message, "efficient_attn");
        using var folder = new ScratchFolder();
        var path = folder.File("config.json");
        File.WriteAllText(path, """{"model": {"num_layers": "two", "vocab_size": 9}}""");
        var formatError = Assert.ThrowsExactly<FormatException>(() => MegalodonConfig.Load(path));
        StringAssert.Contains(formatError.Message, path);
    }
}
