using System.Buffers.Binary;
using System.Text;
using Megalodon.ML.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests;

[TestClass]
public sealed class SafeTensorsTests
{
    private static Tensor Sample(SafeTensorDType dtype, long[] shape)
    {
        using var source = torch.randn(shape, generator: torch.manual_seed(7)) * 10;
        return dtype == SafeTensorDType.Bool ? source.gt(0) : source.to(dtype.ToScalarType());
    }

    [TestMethod]
    [DataRow(SafeTensorDType.Bool)]
    [DataRow(SafeTensorDType.U8)]
    [DataRow(SafeTensorDType.I8)]
    [DataRow(SafeTensorDType.I16)]
    [DataRow(SafeTensorDType.I32)]
    [DataRow(SafeTensorDType.I64)]
    [DataRow(SafeTensorDType.F16)]
    [DataRow(SafeTensorDType.BF16)]
    [DataRow(SafeTensorDType.F32)]
    [DataRow(SafeTensorDType.F64)]
    public void RoundTripKeepsValuesTypesAndShapes(SafeTensorDType dtype)
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = Sample(dtype, [3, 5]),
            ["scalar"] = Sample(dtype, []),
            ["empty"] = Sample(dtype, [0, 4]),
            ["cube"] = Sample(dtype, [2, 3, 4]),
        };
        var path = folder.File("t.safetensors");
        SafeTensors.Save(path, tensors);

        var loaded = SafeTensors.Load(path);
        CollectionAssert.AreEquivalent(tensors.Keys.ToList(), loaded.Keys.ToList());
        foreach (var (name, expected) in tensors)
        {
            var actual = loaded[name];
            Assert.AreEqual(expected.dtype, actual.dtype, name);
            CollectionAssert.AreEqual(expected.shape, actual.shape, name);
            Assert.IsTrue(expected.eq(actual).all().item<bool>(), $"{name} differs after the round trip");
        }
        Assert.AreEqual(dtype.ToName(), SafeTensors.ReadHeader(path)["matrix"].DType.ToName());
    }

    [TestMethod]
    public void WrittenLayoutIsPaddedAlignedAndInNameOrder()
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var path = folder.File("layout.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["b"] = torch.ones(3, dtype: ScalarType.Int64),
            ["a"] = torch.ones(1, dtype: ScalarType.Float32),
            ["c"] = torch.ones(2, dtype: ScalarType.Float16),
        });
        var header = SafeTensors.ReadHeader(path);
        Assert.AreEqual(0, header.HeaderLength % 8, "header length is a multiple of 8");
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, header.Entries.Select(e => e.Name).ToArray(), "data in name order");
        Assert.AreEqual(0L, header.Entries[0].Begin);
        Assert.AreEqual(4L + 24 + 4, header.DataLength, "tensors packed back to back");
        var bytes = File.ReadAllBytes(path);
        var json = Encoding.UTF8.GetString(bytes, 8, (int)header.HeaderLength);
        Assert.IsTrue(json.TrimEnd(' ').EndsWith('}'), "padding is spaces");
    }

    [TestMethod]
    public void MetadataRoundTrips()
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var path = folder.File("meta.safetensors");
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" };
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = torch.arange(4) }, metadata);
        var loaded = SafeTensors.Load(path, out var readBack);
        CollectionAssert.AreEquivalent(metadata.ToList(), readBack.ToList());
        Assert.IsFalse(loaded.ContainsKey(SafeTensorsHeader.MetadataKey));
    }

    [TestMethod]
    public void NonContiguousTensorsAreStoredInLogicalOrder()
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var path = folder.File("t.safetensors");
        var transposed = torch.arange(12, dtype: ScalarType.Float32).reshape(3, 4).t();
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = transposed });
        var loaded = SafeTensors.Load(path)["t"];
        CollectionAssert.AreEqual(transposed.shape, loaded.shape);
        Assert.IsTrue(transposed.eq(loaded).all().item<bool>());
    }

    [TestMethod]
    public void TensorMemoryIsVisitedInOrderAcrossChunks()
    {
        using var scope = torch.NewDisposeScope();
        var source = torch.arange(1000, dtype: ScalarType.Int32).reshape(10, 100);
        var copy = torch.zeros(10, 100, dtype: ScalarType.Int32);
        var bytes = new List<byte>();
        int chunks = 0;
        TensorMemory.ForEachChunk(source, chunk => { bytes.AddRange(chunk.ToArray()); chunks++; }, chunkBytes: 96);
        int offset = 0;
        TensorMemory.ForEachChunk(copy, chunk => { bytes.Skip(offset).Take(chunk.Length).ToArray().CopyTo(chunk); offset += chunk.Length; }, chunkBytes: 200);
        Assert.AreEqual(42, chunks, "4000 bytes in chunks of 96");
        Assert.IsTrue(source.eq(copy).all().item<bool>());
    }

    [TestMethod]
    public void SaveReplacesAtomicallyAndLeavesNoTemporaryFiles()
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var path = folder.File("t.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = torch.zeros(2) });
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["y"] = torch.ones(3) });
        CollectionAssert.AreEqual(new[] { "t.safetensors" }, Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName).ToArray());
        CollectionAssert.AreEqual(new[] { "y" }, SafeTensors.ReadHeader(path).Names.ToArray());
    }

    [TestMethod]
    public void SaveRejectsReservedAndUnsupported()
    {
        using var folder = new ScratchFolder();
        using var scope = torch.NewDisposeScope();
        var path = folder.File("t.safetensors");
        Assert.ThrowsExactly<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { [SafeTensorsHeader.MetadataKey] = torch.zeros(1) }));
        Assert.ThrowsExactly<NotSupportedException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["c"] = torch.zeros(2, dtype: ScalarType.ComplexFloat32) }));
        Assert.IsFalse(File.Exists(path));
        Assert.AreEqual(0, Directory.GetFileSystemEntries(folder.Path).Length, "no temporary file left behind");
    }

    [TestMethod]
    public void ReadsTheGoldenFixtureFormat()
    {
        var caseFolder = GoldenFixtures.CaseFolder("p1_single_layer_short");
        using var reader = SafeTensorsReader.Open(Path.Combine(caseFolder, "io.safetensors"));
        using var tokens = reader.Read("tokens");
        Assert.AreEqual(ScalarType.Int64, tokens.dtype);
        CollectionAssert.AreEqual(new long[] { 2, 12 }, tokens.shape);
        using var loss = reader.Read("loss");
        Assert.AreEqual(0, loss.dim());
        Assert.AreEqual(3.8911, loss.item<float>(), 1e-3);
    }

    // ---- untrusted input: every malformed file is refused with a message naming the problem ----

    private static string WriteRaw(ScratchFolder folder, string headerJson, byte[]? data = null, ulong? declaredLength = null, string name = "bad.safetensors")
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var path = folder.File(name);
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, declaredLength ?? (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(data ?? []);
        return path;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    private static void AssertRefused(string path, params string[] expectedFragments)
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() =>
        {
            var tensors = SafeTensors.Load(path);
            foreach (var t in tensors.Values) t.Dispose();
        });
        StringAssert.Contains(ex.Message, Path.GetFileName(path), "message names the file");
        foreach (var fragment in expectedFragments)
            StringAssert.Contains(ex.Message, fragment);
    }

    [TestMethod]
    public void TruncatedHeaderLengthIsRefused()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        AssertRefused(path, "truncated header");
    }

    [TestMethod]
    public void HeaderLengthBeyondFileIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{}", declaredLength: 4096), "header length 4096", "past the end of the file");
    }

    [TestMethod]
    public void HugeHeaderLengthIsRefusedBeforeAllocating()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{}", declaredLength: ulong.MaxValue), "exceeds the limit");
    }

    [TestMethod]
    public void TruncatedHeaderJsonIsRefused()
    {
        using var folder = new ScratchFolder();
        var full = "{" + Entry("x", "F32", "[2]", 0, 8) + "}";
        AssertRefused(WriteRaw(folder, full[..(full.Length / 2)], new byte[8]), "not valid JSON");
    }

    [TestMethod]
    [DataRow("{\"x\": {\"dtype\": \"F32\",, }}")]
    [DataRow("{\"x\": 1")]
    [DataRow("not json at all")]
    public void BadJsonIsRefused(string header)
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, header), "not valid JSON");
    }

    [TestMethod]
    public void InvalidUtf8HeaderIsRefused()
    {
        using var folder = new ScratchFolder();
        var path = folder.File("utf8.safetensors");
        byte[] header = [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        var bytes = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        AssertRefused(path, "not valid UTF-8");
    }

    [TestMethod]
    public void NonObjectHeaderIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "[1, 2, 3]"), "not an object");
    }

    [TestMethod]
    public void UnknownDtypeIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("weights", "Q7", "[2]", 0, 8) + "}", new byte[8]), "tensor 'weights'", "unknown dtype 'Q7'");
    }

    [TestMethod]
    public void KnownButUnsupportedDtypeIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "U16", "[4]", 0, 8) + "}", new byte[8]), "tensor 'w'", "no TorchSharp equivalent");
    }

    [TestMethod]
    public void ShapeOffsetMismatchIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[3]", 0, 8) + "}", new byte[8]), "tensor 'w'", "shape/offset mismatch", "needs 12");
    }

    [TestMethod]
    public void NegativeDimensionIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[-2]", 0, 8) + "}", new byte[8]), "tensor 'w'", "negative dimension");
    }

    [TestMethod]
    public void NonIntegerDimensionIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[2.5]", 0, 8) + "}", new byte[8]), "tensor 'w'", "not an integer");
    }

    [TestMethod]
    public void OverflowingElementCountIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[4294967296,4294967296]", 0, 8) + "}", new byte[8]), "tensor 'w'", "overflows");
    }

    [TestMethod]
    public void OverlappingOffsetsAreRefused()
    {
        using var folder = new ScratchFolder();
        var header = "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}";
        AssertRefused(WriteRaw(folder, header, new byte[12]), "tensor 'b'", "overlap", "'a'");
    }

    [TestMethod]
    public void OffsetsPastEndAreRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[4]", 0, 16) + "}", new byte[8]), "tensor 'w'", "past the end of the data section");
    }

    [TestMethod]
    public void ReversedOffsetsAreRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[0]", 8, 0) + "}", new byte[8]), "tensor 'w'", "end before they begin");
    }

    [TestMethod]
    public void WrongOffsetCountIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", new byte[8]), "tensor 'w'", "exactly two");
    }

    [TestMethod]
    public void MissingFieldIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]), "tensor 'w'", "'shape'");
    }

    [TestMethod]
    public void GapBetweenTensorsIsRefused()
    {
        using var folder = new ScratchFolder();
        var header = "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 64, 72) + "}";
        AssertRefused(WriteRaw(folder, header, new byte[72]), "tensor 'b'", "gap");
    }

    [TestMethod]
    public void TrailingGarbageIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[2]", 0, 8) + "}", new byte[8 + 100]), "trailing data");
    }

    [TestMethod]
    public void NonPaddingTailIsRefused()
    {
        using var folder = new ScratchFolder();
        byte[] data = [.. new byte[8], 0xAB, 0xCD];
        AssertRefused(WriteRaw(folder, "{" + Entry("w", "F32", "[2]", 0, 8) + "}", data), "not padding");
    }

    [TestMethod]
    public void AlignmentPaddingAfterLastTensorIsAccepted()
    {
        using var folder = new ScratchFolder();
        var path = WriteRaw(folder, "{" + Entry("w", "I32", "[1]", 0, 4) + "}", [5, 0, 0, 0, 0, 0, 0, 0]);
        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(5, SafeTensors.Load(path)["w"].item<int>());
    }

    [TestMethod]
    public void DuplicateNamesAreRefused()
    {
        using var folder = new ScratchFolder();
        var header = "{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("a", "F32", "[1]", 4, 8) + "}";
        AssertRefused(WriteRaw(folder, header, new byte[8]), "tensor 'a'", "twice");
    }

    [TestMethod]
    public void NonStringMetadataIsRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{\"__metadata__\":{\"step\":3}}"), "__metadata__", "'step'", "must be a string");
    }

    [TestMethod]
    public void InvalidBooleanBytesAreRefused()
    {
        using var folder = new ScratchFolder();
        AssertRefused(WriteRaw(folder, "{" + Entry("mask", "BOOL", "[2]", 0, 2) + "}", [1, 7]), "tensor 'mask'", "neither 0 nor 1");
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        using var folder = new ScratchFolder();
        Assert.ThrowsExactly<FileNotFoundException>(() => SafeTensors.Load(folder.File("absent.safetensors")));
    }
}
