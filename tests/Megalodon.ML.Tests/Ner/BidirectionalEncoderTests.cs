using Megalodon.ML.Encoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class BidirectionalEncoderTests
{
    private static Tensor Features(BidirectionalEncoder encoder, params int[][] rows)
    {
        int length = rows.Max(r => r.Length);
        var ids = rows.SelectMany(r => r.Concat(Enumerable.Repeat(EncoderVocabulary.PadId, length - r.Length))).Select(i => (long)i).ToArray();
        using var noGrad = no_grad();
        return encoder.forward(tensor(ids, [rows.Length, length]), tensor(rows.Select(r => (long)r.Length).ToArray()));
    }

    /// <summary>A briefly trained encoder: at initialisation some output projections start at zero, which hides the context.</summary>
    private static BidirectionalEncoder TrainedEncoder()
    {
        var encoder = EncoderToyData.Encoder();
        MaskedLanguageModelTrainer.Train(encoder, EncoderToyData.Sentences(16).Select(s => s.Text), new EncoderTrainingSettings { Steps = 5, BatchSize = 4, WarmupSteps = 0 });
        return encoder;
    }

    [TestMethod]
    public void ChangingALaterTokenChangesAnEarlierTokensFeatures()
    {
        using var encoder = TrainedEncoder();
        var a = EncodedText.Encode("alice went to paris today and stayed").Ids;
        var b = (int[])a.Clone();
        b[^1] = 'x';
        using var fa = Features(encoder, a);
        using var fb = Features(encoder, b);
        int d = encoder.Config.ModelDim;
        // The backward half of the first token sees the last token; the forward half cannot (up to the FFT convolution's rounding).
        Assert.IsGreaterThan(1e-3, (fa[0, 0, TensorIndex.Slice(d, 2 * d)] - fb[0, 0, TensorIndex.Slice(d, 2 * d)]).abs().max().item<float>());
        Assert.IsLessThan(1e-5, (fa[0, 0, TensorIndex.Slice(0, d)] - fb[0, 0, TensorIndex.Slice(0, d)]).abs().max().item<float>());
        Assert.AreEqual(2 * d, encoder.FeatureDim);
    }

    [TestMethod]
    public void PaddingInABatchDoesNotChangeASentencesFeatures()
    {
        using var encoder = TrainedEncoder();
        var shortIds = EncodedText.Encode("bob went to rome").Ids;
        var longIds = EncodedText.Encode("carol went to lima today, and then she flew on to oslo").Ids;
        using var alone = Features(encoder, shortIds);
        using var batched = Features(encoder, longIds, shortIds);
        var inBatch = batched[1].narrow(0, 0, shortIds.Length);
        Assert.IsLessThan(1e-5, (alone[0] - inBatch).abs().max().item<float>());
    }

    [TestMethod]
    public void SavedEncoderLoadsWithIdenticalFeatures()
    {
        using var scratch = new ScratchFolder();
        using var encoder = TrainedEncoder();
        var ids = EncodedText.Encode("dave went to oslo").Ids;
        EncoderFiles.SaveEncoder(scratch.File("encoder.safetensors"), encoder);
        using var loaded = EncoderFiles.LoadEncoder(scratch.File("encoder.safetensors"));
        using var before = Features(encoder, ids);
        using var after = Features(loaded, ids);
        Assert.AreEqual(0f, (before - after).abs().max().item<float>());
        Assert.AreEqual(encoder.Config, loaded.Config);
    }

    [TestMethod]
    public void AConceptEncoderFileIsNotATextEncoder()
    {
        using var scratch = new ScratchFolder();
        using var encoder = EncoderToyData.Encoder();
        using var concepts = new ConceptEncoder(encoder);
        EncoderFiles.SaveConceptEncoder(scratch.File("concepts.safetensors"), concepts);
        var error = Assert.Throws<InvalidDataException>(() => EncoderFiles.LoadEncoder(scratch.File("concepts.safetensors")));
        StringAssert.Contains(error.Message, "concept-encoder");
    }

    [TestMethod]
    public void AnEncoderBuiltOnAnExplicitDeviceTrainsAndRoundTripsThere()
    {
        using var scratch = new ScratchFolder();
        var cpu = torch.CPU;
        torch.manual_seed(1);
        using var encoder = new BidirectionalEncoder(EncoderPresets.Tiny() with { NumLayers = 1, ChunkSize = 8 }, cpu);
        Assert.AreEqual(DeviceType.CPU, encoder.Device.type);
        var result = MaskedLanguageModelTrainer.Train(encoder, EncoderToyData.Sentences(8).Select(s => s.Text), new EncoderTrainingSettings { Steps = 2, BatchSize = 4, WarmupSteps = 0 });
        Assert.IsTrue(result.Losses.All(double.IsFinite));

        EncoderFiles.SaveEncoder(scratch.File("encoder.safetensors"), encoder);
        using var loaded = EncoderFiles.LoadEncoder(scratch.File("encoder.safetensors"), cpu);
        using var clone = encoder.Clone();
        var ids = EncodedText.Encode("erin went to kyiv").Ids;
        using var before = Features(encoder, ids);
        using var afterLoad = Features(loaded, ids);
        using var afterClone = Features(clone, ids);
        Assert.AreEqual(0f, (before - afterLoad).abs().max().item<float>());
        Assert.AreEqual(0f, (before - afterClone).abs().max().item<float>());

        using var concepts = new ConceptEncoder(encoder);
        EncoderFiles.SaveConceptEncoder(scratch.File("concepts.safetensors"), concepts);
        using var loadedConcepts = EncoderFiles.LoadConceptEncoder(scratch.File("concepts.safetensors"), cpu);
        using var classifier = new TokenClassifier(encoder, 3);
        using var fresh = new TokenClassifier(encoder.Config, 3, cpu);
        foreach (var device in new[] { loaded.Device, clone.Device, concepts.Device, loadedConcepts.Device, classifier.Device, fresh.Device })
            Assert.AreEqual(DeviceType.CPU, device.type);
        Assert.IsTrue(fresh.parameters().All(p => p.device_type == DeviceType.CPU));
        using var a = concepts.Embed(["city"]);
        using var b = loadedConcepts.Embed(["city"]);
        Assert.AreEqual(0f, (a - b).abs().max().item<float>());
    }

    [TestMethod]
    public void Bf16ProjectionsTrainAndAreKeptByCopiesAndHeads()
    {
        using var encoder = EncoderToyData.Encoder();
        encoder.MatmulType = ScalarType.BFloat16;
        var result = MaskedLanguageModelTrainer.Train(encoder, EncoderToyData.Sentences(8).Select(s => s.Text), new EncoderTrainingSettings { Steps = 2, BatchSize = 4, WarmupSteps = 0 });
        Assert.IsTrue(result.Losses.All(double.IsFinite));
        using var features = Features(encoder, EncodedText.Encode("frank went to lima").Ids);
        Assert.AreEqual(ScalarType.Float32, features.dtype, "features stay fp32 under bf16 projections");
        using var clone = encoder.Clone();
        using var concepts = new ConceptEncoder(encoder);
        using var classifier = new TokenClassifier(encoder, 3);
        Assert.AreEqual(ScalarType.BFloat16, clone.MatmulType);
        Assert.AreEqual(ScalarType.BFloat16, concepts.NameEncoder.MatmulType);
        Assert.AreEqual(ScalarType.BFloat16, classifier.Encoder.MatmulType);
        Assert.IsTrue(encoder.parameters().All(p => p.dtype == ScalarType.Float32), "master weights stay fp32");
        // bf16 rounding makes the features differ from fp32 ones, a little.
        encoder.MatmulType = null;
        using var fp32 = Features(encoder, EncodedText.Encode("frank went to lima").Ids);
        double difference = (features - fp32).abs().max().item<float>();
        Assert.IsGreaterThan(0, difference);
        Assert.IsLessThan(0.5, difference);
    }

    [TestMethod]
    public void TooSmallAVocabularyIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new BidirectionalEncoder(EncoderPresets.Tiny() with { VocabSize = 257 }));
        StringAssert.Contains(error.Message, "258");
    }
}
