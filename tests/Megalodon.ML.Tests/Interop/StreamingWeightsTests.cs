using System.Diagnostics;
using System.IO.Compression;
using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Interop;

[TestClass]
public sealed class StreamingWeightsTests
{
    [TestMethod]
    [DataRow(3L)]
    [DataRow(64L)]
    [DataRow(1000L)]
    public void SafetensorsStreamThroughChunksSmallerThanATensor(long chunkBytes)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["big"] = torch.randn(37, 29, generator: new Generator(1)),
            ["ints"] = torch.arange(0, 101, dtype: ScalarType.Int64),
            ["half"] = torch.randn(13, generator: new Generator(2)).to(ScalarType.BFloat16),
            ["strided"] = torch.randn(8, 6, generator: new Generator(3)).t(),
        };
        using var stream = new MemoryStream();
        SafeTensorsWriter.Write(stream, tensors, new Dictionary<string, string> { ["k"] = "v" }, chunkBytes);
        stream.Position = 0;
        using var reader = SafeTensorsReader.Open(stream, "memory", leaveOpen: true, chunkBytes);
        Assert.AreEqual("v", reader.Metadata["k"]);
        foreach (var (name, expected) in tensors)
        {
            Assert.IsTrue(expected.eq(reader.Read(name)).all().item<bool>(), $"{name} differs after streaming with {chunkBytes}-byte chunks");
            using var target = torch.zeros_like(expected).contiguous();
            reader.ReadInto(name, target);
            Assert.IsTrue(expected.eq(target).all().item<bool>(), $"{name} differs when read into a tensor");
        }
    }

    [TestMethod]
    public void TheModelZipsWeightsEntryIsAPlainSafetensorsFile()
    {
        using var folder = new ScratchFolder();
        using var model = InteropModels.Create(new MegalodonConfig
        {
            NumLayers = 1, ModelDim = 16, ZDim = 8, ValueDim = 16, FfnHiddenDim = 16, CemaNDim = 2, ChunkSize = 8, NormNumGroups = 4,
            ShareEmb = true, VocabSize = 260,
        }, seed: 2);
        var ml = new MLContext();
        var zip = folder.File("model.zip");
        ml.Model.Save(InteropModels.Transformer(ml, model, ModelTokenizer.ByteLevel(260)), null, zip);

        using var archive = ZipFile.OpenRead(zip);
        var entry = archive.Entries.Single(e => e.Name == "Weights.safetensors");
        var extracted = folder.File("extracted.safetensors");
        entry.ExtractToFile(extracted);
        var weights = SafeTensors.Load(extracted);
        try
        {
            var expected = model.ReferenceStateDict();
            CollectionAssert.AreEquivalent(expected.Keys.ToList(), weights.Keys.ToList());
            foreach (var (name, tensor) in expected) Assert.IsTrue(tensor.eq(weights[name]).all().item<bool>(), name);
            foreach (var t in expected.Values) t.Dispose();
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
        Assert.AreEqual(32, archive.Entries.Single(e => e.Name == "Weights.safetensors.sha256").Length);
    }

    [TestMethod]
    public void ACorruptWeightsEntryIsRefused()
    {
        using var folder = new ScratchFolder();
        using var model = InteropModels.Create(new MegalodonConfig
        {
            NumLayers = 1, ModelDim = 16, ZDim = 8, ValueDim = 16, FfnHiddenDim = 16, CemaNDim = 2, ChunkSize = 8, NormNumGroups = 4, VocabSize = 260,
        }, seed: 2);
        var ml = new MLContext();
        var zip = folder.File("model.zip");
        ml.Model.Save(InteropModels.Transformer(ml, model, ModelTokenizer.ByteLevel(260)), null, zip);
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
        {
            var entry = archive.Entries.Single(e => e.Name == "Weights.safetensors");
            var name = entry.FullName;
            using var original = new MemoryStream();
            using (var s = entry.Open()) s.CopyTo(original);
            var bytes = original.ToArray();
            bytes[^5] ^= 0x10;
            entry.Delete();
            using var replaced = archive.CreateEntry(name).Open();
            replaced.Write(bytes);
        }
        // ML.NET calls the loader through reflection, so the loader's exception comes wrapped.
        var ex = Assert.ThrowsExactly<System.Reflection.TargetInvocationException>(() => new MLContext().Model.Load(zip, out _));
        Assert.IsInstanceOfType<InvalidDataException>(ex.InnerException);
        StringAssert.Contains(ex.InnerException!.Message, "checksum");
    }

    [TestMethod]
    public void FiftyLoadDisposeCyclesKeepTheProcessMemoryFlat()
    {
        using var folder = new ScratchFolder();
        // About 1.1M parameters (4.4 MB): a leak of one weight copy per cycle would add over 200 MB in 50 cycles, on a
        // process of about 250 MB. (Measured: 247 MiB after warm-up, 243-256 MiB through 50 cycles.)
        var config = new MegalodonConfig
        {
            NumLayers = 1, ModelDim = 128, ZDim = 32, ValueDim = 128, FfnHiddenDim = 128, CemaNDim = 2, ChunkSize = 16, NormNumGroups = 8,
            VocabSize = 4000,
        };
        var zip = folder.File("model.zip");
        var ml = new MLContext();
        using (var model = InteropModels.Create(config, seed: 3))
            ml.Model.Save(InteropModels.Transformer(ml, model, ModelTokenizer.ByteLevel(4000)), null, zip);

        var loader = new MLContext();
        void Cycle()
        {
            var loaded = loader.Model.Load(zip, out _);
            ((IDisposable)loaded).Dispose();
        }
        for (int i = 0; i < 5; i++) Cycle();
        long before = SettledResidentBytes();
        for (int i = 0; i < 50; i++) Cycle();
        long after = SettledResidentBytes();
        Assert.IsTrue(after <= before * 1.10, $"resident memory grew from {before >> 20} MiB to {after >> 20} MiB over 50 load/dispose cycles");
    }

    private static long SettledResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
