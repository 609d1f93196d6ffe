using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Interop;

/// <summary>
/// Every checkpoint writer against every reader: the model read back gives exactly the logits of the model written,
/// for tied and untied embeddings.
/// </summary>
[TestClass]
public sealed class CheckpointInteropTests
{
    /// <summary>What produced the files.</summary>
    public enum Writer
    {
        /// <summary>MegalodonCheckpoint.Save.</summary>
        CheckpointSave,
        /// <summary>A training step folder (LanguageModelTrainer + FolderCheckpointStore).</summary>
        TrainingStep,
        /// <summary>mlContext.Model.Save of the language-model transformer.</summary>
        ModelZip,
        /// <summary>CheckpointExport in the Megalodon layout (with tokenizer).</summary>
        ExportMegalodon,
        /// <summary>CheckpointExport in the reference layout (consolidated.pth through PyBridge).</summary>
        ExportReference,
        /// <summary>Safetensors and a flat config without checksums, as the golden fixtures (the reference side's own safetensors dump).</summary>
        PlainSafetensors,
    }

    /// <summary>What reads them.</summary>
    public enum Reader
    {
        /// <summary>MegalodonCheckpoint.Load (a zip is exported to a folder first).</summary>
        CheckpointLoad,
        /// <summary>mlContext.Transforms.Megalodon().LoadCheckpoint (a zip is exported to the reference layout first).</summary>
        LoadCheckpointTransformer,
        /// <summary>megalodon import: a folder saved as a model zip, then mlContext.Model.Load.</summary>
        ImportedZip,
        /// <summary>Exported again to the reference layout and read back.</summary>
        ReExportedReference,
    }

    private const int Vocab = 300;

    private static MegalodonConfig Config(bool tied) => new()
    {
        NumLayers = 2, ModelDim = 16, ZDim = 8, ValueDim = 24, NumHeads = 2, FfnHiddenDim = 32, CemaNDim = 4,
        ChunkSize = 8, NormNumGroups = 4, SwiGlu = true, RescaleNffn = true, ShareEmb = tied, ScaleEmb = tied, VocabSize = Vocab,
    };

    private static readonly ModelTokenizer Tokenizer = ModelTokenizer.ByteLevel(Vocab);

    public static IEnumerable<object[]> Cases() =>
        from w in Enum.GetValues<Writer>() from r in Enum.GetValues<Reader>() from tied in new[] { false, true } select new object[] { w, r, tied };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void TheReaderGivesTheWrittenModelsLogits(Writer writer, Reader reader, bool tied)
    {
        using var folder = new ScratchFolder();
        using var model = InteropModels.Create(Config(tied), seed: 3);
        string written = Write(writer, model, folder);
        using var tokens = torch.randint(0, Vocab, [2, 16], dtype: ScalarType.Int64, generator: new Generator(5));
        using var expected = Logits(model, tokens);
        using var actual = Read(reader, written, folder, tokens);
        Assert.IsTrue(expected.eq(actual).all().item<bool>(), $"{writer} → {reader} (tied: {tied}): logits differ by {(expected - actual).abs().max().item<float>()}");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void EveryWrittenStateDictHasTheReferenceStrictKeySet(bool tied)
    {
        using var folder = new ScratchFolder();
        using var model = InteropModels.Create(Config(tied), seed: 4);
        var expectedKeys = model.state_dict().Keys.Concat(tied ? ["output.output.weight"] : []).Order().ToList();
        foreach (var writer in Enum.GetValues<Writer>())
        {
            var dir = Folder(Write(writer, model, folder), folder, CheckpointFormat.Megalodon);
            var weights = ReferenceCheckpoint.FindWeights(dir);
            var keys = weights.EndsWith(".pth", StringComparison.Ordinal)
                ? KeysOf(PyTorchStateDict.Read(weights))
                : SafeTensors.ReadHeader(weights).Names.ToList();
            CollectionAssert.AreEqual(expectedKeys, keys.Order().ToList(), $"{writer}: a strict load_state_dict in the reference needs exactly these keys");
        }
    }

    [TestMethod]
    public void TrainingStepFoldersCarryTheConfigAndTheTiedOutput()
    {
        using var folder = new ScratchFolder();
        using var model = InteropModels.Create(Config(tied: true), seed: 6);
        var step = Write(Writer.TrainingStep, model, folder);
        Assert.IsTrue(File.Exists(Path.Combine(step, CheckpointFileNames.Config)));
        Assert.AreEqual(model.Config, MegalodonCheckpoint.LoadConfig(step));
        Assert.IsTrue(SafeTensors.ReadHeader(Path.Combine(step, CheckpointFileNames.Model)).Contains("output.output.weight"));
        Assert.IsTrue(MegalodonCheckpoint.HasFile(step, CheckpointFileNames.Optimizer));
    }

    [TestMethod]
    public void TheReferenceExportHoldsWhatTheReferenceLoaderReads()
    {
        using var folder = new ScratchFolder();
        var tokenizer = ModelTokenizer.SentencePiece(SentencePieceTestModel.Build());
        using var model = InteropModels.Create(Config(tied: true) with { VocabSize = tokenizer.VocabSize }, seed: 7);
        var dir = folder.File("reference");
        CheckpointExport.Write(dir, model, tokenizer, CheckpointFormat.Reference);

        using (var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
        {
            var root = config.RootElement;
            Assert.AreEqual(model.Config, MegalodonConfig.FromJson(root.GetProperty("model").GetRawText()));
            Assert.AreEqual(Path.Combine(Path.GetFullPath(dir), "tokenizer.model"), root.GetProperty("tokenizer").GetProperty("path").GetString());
            Assert.AreEqual(0, root.GetProperty("tokenizer").GetProperty("additional_vocab_size").GetInt32());
        }
        using (var consolidate = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "consolidate_config.json"))))
        {
            Assert.AreEqual(1, consolidate.RootElement.GetProperty("model_parallel_size").GetInt32());
            Assert.AreEqual("fp32", consolidate.RootElement.GetProperty("dtype").GetString());
        }
        CollectionAssert.AreEqual(SentencePieceTestModel.Build(), File.ReadAllBytes(Path.Combine(dir, "tokenizer.model")));

        // Read back without tokenizer_spec.json: the SentencePiece model alone restores the tokenizer.
        File.Delete(Path.Combine(dir, CheckpointFileNames.TokenizerSpec));
        using var lm = new MLContext().Transforms.Megalodon().LoadCheckpoint(dir);
        Assert.AreEqual(TokenizerKind.SentencePiece, lm.Tokenizer.ToSpec().Kind);
        CollectionAssert.AreEqual(tokenizer.Encode("ab cd").ToArray(), lm.Tokenizer.Encode("ab cd").ToArray());
    }

    [TestMethod]
    public void AConfigWithoutVocabSizeTakesTheTokenizersAsTheReferenceDoes()
    {
        using var folder = new ScratchFolder();
        var tokenizer = ModelTokenizer.SentencePiece(SentencePieceTestModel.Build());
        using var model = InteropModels.Create(Config(tied: false) with { VocabSize = tokenizer.VocabSize }, seed: 8);
        var dir = folder.File("reference");
        CheckpointExport.Write(dir, model, tokenizer, CheckpointFormat.Reference);
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace($"\"vocab_size\": {tokenizer.VocabSize}", "\"vocab_size\": -1"));
        Assert.AreEqual(tokenizer.VocabSize, ReferenceCheckpoint.ReadConfig(dir).VocabSize);
        File.Delete(Path.Combine(dir, "tokenizer.model"));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ReferenceCheckpoint.ReadConfig(dir));
        StringAssert.Contains(ex.Message, "vocab_size");
    }

    [TestMethod]
    public void AdamWMomentsTravelUnderTheReferenceNames()
    {
        using var folder = new ScratchFolder();
        using var model = InteropModels.Create(Config(tied: true), seed: 9);
        var step = Write(Writer.TrainingStep, model, folder);
        var reference = folder.File("reference");
        ModelFiles.Export(step, CheckpointFormat.Reference, reference);
        var back = folder.File("back");
        ModelFiles.Export(reference, CheckpointFormat.Megalodon, back);

        var original = MegalodonCheckpoint.LoadTensors(step, CheckpointFileNames.Optimizer);
        var pickled = PyTorchStateDict.Read(Path.Combine(reference, CheckpointFileNames.OptimizerPickle));
        var returned = MegalodonCheckpoint.LoadTensors(back, CheckpointFileNames.Optimizer);
        try
        {
            Assert.IsTrue(original.ContainsKey("embed.weight.exp_avg"));
            foreach (var set in new[] { pickled, returned })
            {
                CollectionAssert.AreEquivalent(original.Keys.ToList(), set.Keys.ToList());
                foreach (var (name, tensor) in original) Assert.IsTrue(tensor.eq(set[name]).all().item<bool>(), name);
            }
        }
        finally
        {
            foreach (var t in original.Values.Concat(pickled.Values).Concat(returned.Values)) t.Dispose();
        }
    }

    private static List<string> KeysOf(Dictionary<string, Tensor> tensors)
    {
        var keys = tensors.Keys.ToList();
        foreach (var t in tensors.Values) t.Dispose();
        return keys;
    }

    private static Tensor Logits(MegalodonModel model, Tensor tokens)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        return model.forward(tokens);
    }

    /// <summary>Writes the model with <paramref name="writer"/>; returns the folder or zip written.</summary>
    private static string Write(Writer writer, MegalodonModel model, ScratchFolder folder)
    {
        switch (writer)
        {
            case Writer.CheckpointSave:
                MegalodonCheckpoint.Save(folder.File("saved"), model);
                return folder.File("saved");
            case Writer.TrainingStep:
                return InteropModels.TrainingStepFolder(model, folder.File("run"));
            case Writer.ModelZip:
            {
                var ml = new MLContext();
                var zip = folder.File("model.zip");
                ml.Model.Save(InteropModels.Transformer(ml, model, Tokenizer), null, zip);
                return zip;
            }
            case Writer.ExportMegalodon:
                CheckpointExport.Write(folder.File("megalodon"), model, Tokenizer, CheckpointFormat.Megalodon);
                return folder.File("megalodon");
            case Writer.ExportReference:
                CheckpointExport.Write(folder.File("reference"), model, Tokenizer, CheckpointFormat.Reference);
                return folder.File("reference");
            case Writer.PlainSafetensors:
            {
                var dir = folder.File("plain");
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "config.json"), model.Config.ToJson());
                var state = model.ReferenceStateDict();
                try { SafeTensors.Save(Path.Combine(dir, "weights.safetensors"), state); }
                finally { foreach (var t in state.Values) t.Dispose(); }
                return dir;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(writer));
        }
    }

    /// <summary>A folder holding what was written: the folder itself, or a zip exported in <paramref name="format"/>.</summary>
    private static string Folder(string written, ScratchFolder folder, CheckpointFormat format)
    {
        if (Directory.Exists(written)) return written;
        var dir = folder.File($"from-zip-{format}-{Guid.NewGuid():N}");
        ModelFiles.Export(written, format, dir);
        return dir;
    }

    private static Tensor Read(Reader reader, string written, ScratchFolder folder, Tensor tokens)
    {
        switch (reader)
        {
            case Reader.CheckpointLoad:
            {
                using var model = MegalodonCheckpoint.Load(Folder(written, folder, CheckpointFormat.Megalodon));
                return Logits(model, tokens);
            }
            case Reader.LoadCheckpointTransformer:
            {
                using var lm = new MLContext().Transforms.Megalodon().LoadCheckpoint(Folder(written, folder, CheckpointFormat.Reference), Tokenizer);
                return Logits(lm.Model, tokens);
            }
            case Reader.ImportedZip:
            {
                var zip = written;
                if (Directory.Exists(written))
                {
                    zip = folder.File($"imported-{Guid.NewGuid():N}.zip");
                    InteropModels.WithTokenizer(written, Tokenizer, dir => ModelFiles.Import(dir, zip), folder);
                }
                var loaded = new MLContext().Model.Load(zip, out _);
                using var lm = ModelFiles.FindLanguageModel(loaded)!;
                return Logits(lm.Model, tokens);
            }
            case Reader.ReExportedReference:
            {
                var again = folder.File($"again-{Guid.NewGuid():N}");
                ModelFiles.Export(written, CheckpointFormat.Reference, again);
                var (model, _) = ReferenceCheckpoint.Read(again);
                using (model) return Logits(model, tokens);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(reader));
        }
    }
}
