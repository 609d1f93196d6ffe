using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using Megalodon.ML.Tests.Interop;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
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
