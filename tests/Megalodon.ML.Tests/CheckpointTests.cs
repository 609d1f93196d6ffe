using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests;

[TestClass]
public sealed class CheckpointTests
{
    private static MegalodonConfig Tiny(bool tied = false) => new()
    {
        NumLayers = 2, ModelDim = 16, ZDim = 8, ValueDim = 24, NumHeads = 2, FfnHiddenDim = 32, CemaNDim = 4,
        ChunkSize = 8, NormNumGroups = 4, SwiGlu = true, RescaleNffn = true, ShareEmb = tied, VocabSize = 23,
    };

    private static MegalodonModel NewModel(MegalodonConfig config, int seed) => Interop.InteropModels.Create(config, seed);

    private static void AssertSameWeights(MegalodonModel expected, MegalodonModel actual)
    {
        using var scope = torch.NewDisposeScope();
        var a = expected.ReferenceStateDict();
        var b = actual.ReferenceStateDict();
        CollectionAssert.AreEquivalent(a.Keys.ToList(), b.Keys.ToList());
        foreach (var (name, tensor) in a)
        {
            Assert.AreEqual(tensor.dtype, b[name].dtype, name);
            Assert.IsTrue(tensor.eq(b[name]).all().item<bool>(), $"{name} differs after loading");
        }
    }

    private static void FlipByte(string path, long position)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = position;
        int b = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(b ^ 0x01));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void SaveThenLoadGivesTheSameModel(bool tied)
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var dir = folder.File("ckpt");
        using var model = NewModel(Tiny(tied), seed: 3);
        MegalodonCheckpoint.Save(dir, model);

        CollectionAssert.AreEquivalent(
            new[] { CheckpointFileNames.Config, CheckpointFileNames.Model, CheckpointChecksums.FileName },
            Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        Assert.AreEqual(model.Config, MegalodonConfig.Load(Path.Combine(dir, CheckpointFileNames.Config)));

        using var loaded = MegalodonCheckpoint.Load(dir);
        Assert.AreEqual(model.Config, loaded.Config);
        AssertSameWeights(model, loaded);
        model.eval();
        loaded.eval();
        var tokens = torch.randint(0, 23, [2, 16], dtype: ScalarType.Int64);
        using var noGrad = torch.no_grad();
        Assert.IsTrue(model.forward(tokens).eq(loaded.forward(tokens)).all().item<bool>(), "same logits after loading");
    }

    [TestMethod]
    public void ChecksumsCoverEveryFile()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using var model = NewModel(Tiny(), seed: 1);
        MegalodonCheckpoint.Save(dir, model);
        var checksums = CheckpointChecksums.Read(dir);
        CollectionAssert.AreEquivalent(new[] { CheckpointFileNames.Config, CheckpointFileNames.Model }, checksums.Files.Keys.ToList());
        Assert.AreEqual(CheckpointChecksums.Hash(Path.Combine(dir, CheckpointFileNames.Model)), checksums.Files[CheckpointFileNames.Model]);
        MegalodonCheckpoint.Verify(dir);
    }

    [TestMethod]
    public void FlippedWeightByteIsReportedAsCorrupt()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using (var model = NewModel(Tiny(), seed: 2)) MegalodonCheckpoint.Save(dir, model);
        var weights = Path.Combine(dir, CheckpointFileNames.Model);
        FlipByte(weights, new FileInfo(weights).Length - 3);   // inside the last tensor's data

        var ex = Assert.ThrowsExactly<InvalidDataException>(() => MegalodonCheckpoint.Load(dir));
        StringAssert.Contains(ex.Message, "is corrupt");
        StringAssert.Contains(ex.Message, "model.safetensors checksum mismatch");
        Assert.ThrowsExactly<InvalidDataException>(() => MegalodonCheckpoint.Verify(dir));
    }

    [TestMethod]
    public void FlippedConfigByteIsReportedAsCorrupt()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using (var model = NewModel(Tiny(), seed: 2)) MegalodonCheckpoint.Save(dir, model);
        FlipByte(Path.Combine(dir, CheckpointFileNames.Config), 10);
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => MegalodonCheckpoint.Load(dir));
        StringAssert.Contains(ex.Message, "config.json checksum mismatch");
    }

    [TestMethod]
    public void WithoutChecksumsAFolderReadsAsTheReferenceLayoutAndAMissingFolderIsAClearError()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using var model = NewModel(Tiny(), seed: 2);
        MegalodonCheckpoint.Save(dir, model);
        File.Delete(Path.Combine(dir, CheckpointChecksums.FileName));
        using (var loaded = MegalodonCheckpoint.Load(dir)) AssertSameWeights(model, loaded);
        Assert.ThrowsExactly<InvalidDataException>(() => MegalodonCheckpoint.Verify(dir));
        File.Delete(Path.Combine(dir, CheckpointFileNames.Model));
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => MegalodonCheckpoint.Load(dir));
        StringAssert.Contains(ex.Message, "holds no weights");
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => MegalodonCheckpoint.Load(folder.File("absent")));
    }

    [TestMethod]
    public void TheOldChecksumFormatStillReads()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using var model = NewModel(Tiny(tied: true), seed: 4);
        MegalodonCheckpoint.Save(dir, model);
        var path = Path.Combine(dir, CheckpointChecksums.FileName);
        // Training checkpoints used to write "sha256"; hex digits in either case are read.
        using (var current = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path)))
        {
            var files = current.RootElement.GetProperty("files").EnumerateObject().ToDictionary(f => f.Name, f => f.Value.GetString()!.ToUpperInvariant());
            File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["algorithm"] = "sha256", ["files"] = files }));
        }
        MegalodonCheckpoint.Verify(dir);
        using var loaded = MegalodonCheckpoint.Load(dir);
        AssertSameWeights(model, loaded);
    }

    [TestMethod]
    [DataRow("{\"algorithm\": 5, \"files\": {}}")]
    [DataRow("{\"algorithm\": \"MD5\", \"files\": {}}")]
    [DataRow("{\"algorithm\": \"SHA-256\", \"files\": {\"model.safetensors\": \"xyz\"}}")]
    [DataRow("not json")]
    public void MalformedChecksumsAreReportedAsCorrupt(string content)
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using (var model = NewModel(Tiny(), seed: 2)) MegalodonCheckpoint.Save(dir, model);
        File.WriteAllText(Path.Combine(dir, CheckpointChecksums.FileName), content);
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => MegalodonCheckpoint.Load(dir));
        StringAssert.Contains(ex.Message, "is corrupt");
    }

    [TestMethod]
    public void SaveReplacesAnOldCheckpointAndLeavesNoTemporaryFolders()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using var first = NewModel(Tiny(), seed: 1);
        using var second = NewModel(Tiny(), seed: 2);
        MegalodonCheckpoint.Save(dir, first);
        MegalodonCheckpoint.Save(dir, second);

        CollectionAssert.AreEqual(new[] { "ckpt" }, Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName).ToArray(),
            "no .tmp-/.old- folders are left next to the checkpoint");
        Assert.IsFalse(Directory.GetFiles(dir).Any(f => Path.GetFileName(f).StartsWith('.')), "no temporary files inside");
        using var loaded = MegalodonCheckpoint.Load(dir);
        AssertSameWeights(second, loaded);
    }

    [TestMethod]
    public void AFailedSaveKeepsThePreviousCheckpoint()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using var first = NewModel(Tiny(), seed: 1);
        using var second = NewModel(Tiny(), seed: 2);
        MegalodonCheckpoint.Save(dir, first);

        Assert.ThrowsExactly<InvalidOperationException>(() =>
            MegalodonCheckpoint.Save(dir, second, _ => throw new InvalidOperationException("crash while writing extras")));

        CollectionAssert.AreEqual(new[] { "ckpt" }, Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName).ToArray());
        using var loaded = MegalodonCheckpoint.Load(dir);
        AssertSameWeights(first, loaded);
    }

    [TestMethod]
    public void ExtrasSavedWithTheModelAreVerifiedOnLoad()
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var dir = folder.File("ckpt");
        using var model = NewModel(Tiny(), seed: 4);
        var moments = new Dictionary<string, Tensor>
        {
            ["exp_avg.embed.weight"] = torch.randn(23, 16),
            ["step"] = torch.tensor(17L),
        };
        const string trainerState = """{"step": 17, "lr": 0.001}""";
        MegalodonCheckpoint.Save(dir, model, writer =>
        {
            writer.WriteTensors("optimizer", moments, new Dictionary<string, string> { ["kind"] = "adamw" });
            writer.WriteText(CheckpointFileNames.TrainerState, trainerState);
        });

        MegalodonCheckpoint.Verify(dir);
        var loaded = MegalodonCheckpoint.LoadTensors(dir, "optimizer");
        Assert.IsTrue(moments["exp_avg.embed.weight"].eq(loaded["exp_avg.embed.weight"]).all().item<bool>());
        Assert.AreEqual(17L, loaded["step"].item<long>());
        Assert.AreEqual(trainerState, MegalodonCheckpoint.LoadTrainerState(dir));

        FlipByte(Path.Combine(dir, "optimizer.safetensors"), 12);
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => MegalodonCheckpoint.LoadTensors(dir, "optimizer"));
        StringAssert.Contains(ex.Message, "optimizer.safetensors checksum mismatch");
    }

    [TestMethod]
    public void ExtrasAddedLaterUpdateTheChecksums()
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var dir = folder.File("ckpt");
        using var model = NewModel(Tiny(), seed: 5);
        MegalodonCheckpoint.Save(dir, model);
        Assert.IsNull(MegalodonCheckpoint.LoadTrainerState(dir));

        MegalodonCheckpoint.SaveTensors(dir, "optimizer.safetensors", new Dictionary<string, Tensor> { ["m"] = torch.ones(4) });
        MegalodonCheckpoint.SaveTrainerState(dir, """{"step": 3}""");
        MegalodonCheckpoint.SaveText(dir, "notes.txt", "warm-up done");

        MegalodonCheckpoint.Verify(dir);
        Assert.IsTrue(MegalodonCheckpoint.HasFile(dir, "optimizer.safetensors"));
        Assert.AreEqual(4.0f, MegalodonCheckpoint.LoadTensors(dir, "optimizer")["m"].sum().item<float>());
        Assert.AreEqual("""{"step": 3}""", MegalodonCheckpoint.LoadTrainerState(dir));
        Assert.AreEqual("warm-up done", MegalodonCheckpoint.LoadText(dir, "notes.txt"));
        using var loaded = MegalodonCheckpoint.Load(dir);
        AssertSameWeights(model, loaded);
    }

    [TestMethod]
    [DataRow("../escape")]
    [DataRow("sub/file")]
    [DataRow(".hidden")]
    [DataRow("checksums.json")]
    [DataRow("")]
    public void ExtraFileNamesMustBePlain(string name)
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using (var model = NewModel(Tiny(), seed: 1)) MegalodonCheckpoint.Save(dir, model);
        Assert.ThrowsExactly<ArgumentException>(() => MegalodonCheckpoint.SaveText(dir, name, "x"));
        MegalodonCheckpoint.Verify(dir);
    }

    [TestMethod]
    public void TrainerStateMustBeJson()
    {
        using var folder = new ScratchFolder();
        var dir = folder.File("ckpt");
        using (var model = NewModel(Tiny(), seed: 1)) MegalodonCheckpoint.Save(dir, model);
        Assert.ThrowsExactly<ArgumentException>(() => MegalodonCheckpoint.SaveTrainerState(dir, "{step: "));
    }

    [TestMethod]
    public void LoadsTheGoldenReferenceLayout()
    {
        var caseFolder = GoldenFixtures.CaseFolder("p3_tied_scaled_4heads_4chunks");
        using var scope = torch.NewDisposeScope();
        using var model = MegalodonCheckpoint.LoadReference(caseFolder);
        Assert.IsTrue(model.Config.ShareEmb);
        var expected = SafeTensors.Load(Path.Combine(caseFolder, CheckpointFileNames.ReferenceWeights));
        var actual = model.ReferenceStateDict();
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (name, tensor) in expected)
            Assert.IsTrue(tensor.eq(actual[name]).all().item<bool>(), $"{name} differs from the golden weights");
    }

    [TestMethod]
    public void ReferenceLayoutRoundTripsThroughACheckpoint()
    {
        var caseFolder = GoldenFixtures.CaseFolder("p1_single_layer_short");
        using var folder = new ScratchFolder();
        var dir = folder.File("from-golden");
        using var reference = MegalodonCheckpoint.LoadReference(caseFolder);
        MegalodonCheckpoint.Save(dir, reference);
        using var loaded = MegalodonCheckpoint.Load(dir);
        AssertSameWeights(reference, loaded);
    }
}
