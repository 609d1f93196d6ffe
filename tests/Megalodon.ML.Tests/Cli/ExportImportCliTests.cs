using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using Megalodon.ML.Tests.Interop;
using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using TorchSharp;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class ExportImportCliTests
{
    [TestMethod]
    public void ExportToTheReferenceLayoutAndImportBackGiveTheSameModel()
    {
        using var folder = new ScratchFolder();
        var tokenizer = ModelTokenizer.SentencePiece(SentencePieceTestModel.Build());
        using var model = InteropModels.Create(new MegalodonConfig
        {
            NumLayers = 1, ModelDim = 16, ZDim = 8, ValueDim = 16, FfnHiddenDim = 16, CemaNDim = 2, ChunkSize = 8, NormNumGroups = 4,
            ShareEmb = true, VocabSize = tokenizer.VocabSize,
        }, seed: 12);
        var ml = new MLContext();
        var zip = folder.File("model.zip");
        ml.Model.Save(InteropModels.Transformer(ml, model, tokenizer), null, zip);

        var reference = folder.File("reference");
        var (code, output, error) = CliRunner.Run("export", "--model", zip, "--format", "reference", "--out", reference);
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "reference layout");
        foreach (var file in new[] { "consolidated.pth", "config.json", "consolidate_config.json", "tokenizer.model" })
            Assert.IsTrue(File.Exists(Path.Combine(reference, file)), file);

        var imported = folder.File("imported.zip");
        (code, _, error) = CliRunner.Run("import", reference, "--out", imported);
        Assert.AreEqual(0, code, error);
        var loaded = new MLContext().Model.Load(imported, out _);
        using var lm = ModelFiles.FindLanguageModel(loaded)!;
        Assert.AreEqual(TokenizerKind.SentencePiece, lm.Tokenizer.ToSpec().Kind);
        using var tokens = torch.arange(0, 16, dtype: torch.ScalarType.Int64).remainder(tokenizer.VocabSize).view(1, 16);
        model.eval();
        using var noGrad = torch.no_grad();
        Assert.IsTrue(model.forward(tokens).eq(lm.Model.forward(tokens)).all().item<bool>());
    }

    /// <summary>
    /// The scale-out route on the command line: <c>pretrain --checkpoints</c> with a nested reference config and tied
    /// embeddings, <c>export</c> of the last step folder in both layouts, <c>import</c> of each; every model read back
    /// gives the logits of the model pretrain saved, and the AdamW moments survive step folder → reference → Megalodon.
    /// </summary>
    [TestMethod]
    public void ATrainingStepFolderGoesThroughBothExportsAndImportsBackWithTheSameLogits()
    {
        var fixture = TinyCliModel.Get();
        using var scratch = new ScratchFolder();
        var config = scratch.File("nested-config.json");
        var flat = PretrainTestData.Config with { ShareEmb = true };
        File.WriteAllText(config, "{\"model\": " + flat.ToJson() + ", \"tokenizer\": {\"path\": null, \"additional_vocab_size\": 0, \"data_tokenized\": false}}");
        var checkpoints = scratch.File("ck");
        var trained = scratch.File("trained.zip");
        var (code, _, error) = CliRunner.Run(TinyCliModel.PretrainArgs(fixture.DataFolder, config, trained, "--checkpoints", checkpoints));
        Assert.AreEqual(0, code, error);
        var step = Directory.EnumerateDirectories(checkpoints, "step-*").Order(StringComparer.Ordinal).Last();
        Assert.AreEqual(flat, MegalodonCheckpoint.LoadConfig(step), "the nested config's model section is the network trained");

        var reference = scratch.File("reference");
        (code, _, error) = CliRunner.Run("export", "--model", step, "--format", "reference", "--out", reference);
        Assert.AreEqual(0, code, error);
        foreach (var file in new[] { "consolidated.pth", "config.json", "consolidate_config.json", "optimizer.pth" })
            Assert.IsTrue(File.Exists(Path.Combine(reference, file)), file);
        using (var state = new DisposingDictionary(PyTorchStateDict.Read(Path.Combine(reference, "consolidated.pth"))))
            Assert.IsTrue(state.Tensors.ContainsKey("output.output.weight"), "a strict load in the reference needs the tied output weight");

        var megalodon = scratch.File("megalodon");
        (code, _, error) = CliRunner.Run("export", "--model", reference, "--format", "megalodon", "--out", megalodon);
        Assert.AreEqual(0, code, error);
        using (var original = new DisposingDictionary(MegalodonCheckpoint.LoadTensors(step, CheckpointFileNames.Optimizer)))
        using (var returned = new DisposingDictionary(MegalodonCheckpoint.LoadTensors(megalodon, CheckpointFileNames.Optimizer)))
        {
            CollectionAssert.AreEquivalent(original.Tensors.Keys.ToList(), returned.Tensors.Keys.ToList());
            foreach (var (name, tensor) in original.Tensors) Assert.IsTrue(tensor.eq(returned.Tensors[name]).all().item<bool>(), name);
        }

        var expected = LanguageModelOf(trained);
        using var tokens = torch.arange(0, 24, dtype: torch.ScalarType.Int64).remainder(flat.VocabSize).view(2, 12);
        using var expectedLogits = Logits(expected.Lm, tokens);
        expected.Dispose();
        foreach (var folder in new[] { step, reference, megalodon })
        {
            var imported = scratch.File($"imported-{Path.GetFileName(folder)}.zip");
            (code, _, error) = CliRunner.Run("import", folder, "--out", imported);
            Assert.AreEqual(0, code, $"{folder}: {error}");
            var lm = LanguageModelOf(imported);
            using var logits = Logits(lm.Lm, tokens);
            Assert.AreEqual(TokenizerKind.ByteLevel, lm.Lm.Tokenizer.ToSpec().Kind, folder);
            lm.Dispose();
            Assert.IsTrue(expectedLogits.eq(logits).all().item<bool>(), $"{Path.GetFileName(folder)}: logits differ by {(expectedLogits - logits).abs().max().item<float>()}");
        }
    }

    private sealed record LoadedModel(ITransformer Loaded, MegalodonLanguageModelTransformer Lm) : IDisposable
    {
        public void Dispose() => Lm.Dispose();
    }

    private static LoadedModel LanguageModelOf(string zip)
    {
        var loaded = new MLContext().Model.Load(zip, out _);
        return new LoadedModel(loaded, ModelFiles.FindLanguageModel(loaded)!);
    }

    private static torch.Tensor Logits(MegalodonLanguageModelTransformer lm, torch.Tensor tokens)
    {
        lm.Model.eval();
        using var noGrad = torch.no_grad();
        return lm.Model.forward(tokens);
    }

    private sealed class DisposingDictionary(Dictionary<string, torch.Tensor> tensors) : IDisposable
    {
        public Dictionary<string, torch.Tensor> Tensors { get; } = tensors;

        public void Dispose()
        {
            foreach (var t in Tensors.Values) t.Dispose();
        }
    }

    [TestMethod]
    public void AMissingSourceIsAFailureAndABadFormatAUsageError()
    {
        using var folder = new ScratchFolder();
        var (code, _, error) = CliRunner.Run("export", "--model", folder.File("absent.zip"), "--out", folder.File("out"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "absent.zip");
        (code, _, _) = CliRunner.Run("export", "--model", "x.zip", "--format", "onnx", "--out", folder.File("out"));
        Assert.AreEqual(2, code);
        (code, _, error) = CliRunner.Run("import", folder.File("nothing"), "--out", folder.File("m.zip"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(error, "not found");
    }
}
