using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Tests.Ner;
using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.EncoderPretraining;
using Megalodon.ML.Transforms.NuNer;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using TorchSharp;

namespace Megalodon.ML.Tests.Runtime;

/// <summary>Fit and Transform leave the process as they found it, and a failed Fit releases what it allocated.</summary>
[TestClass]
public sealed class FitSideEffectsTests
{
    private static byte[] GlobalRandomState()
    {
        using var state = torch.random.get_rng_state();
        return state.data<byte>().ToArray();
    }

    [TestMethod]
    public void FitAndTransformLeaveTheGlobalGeneratorAndThreadCountAsTheyWere()
    {
        int original = torch.get_num_threads();
        try
        {
            torch.set_num_threads(2);
            torch.manual_seed(12345);
            var before = GlobalRandomState();
            var ml = new MLContext(seed: 1);
            var options = PretrainTestData.Options(steps: 2);
            options.Threads = 1;   // asked for: used during Fit, then the caller's 2 comes back
            int threadsDuringFit = 0;
            options.Progress = new SynchronousProgress<TrainingProgress>(_ => threadsDuringFit = torch.get_num_threads());
            using var lm = ml.Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(ml));
            _ = lm.Transform(PretrainTestData.TextData(ml)).Preview();
            Assert.AreEqual(1, threadsDuringFit, "the asked-for count is used during Fit");
            Assert.AreEqual(2, torch.get_num_threads(), "and the caller's count is restored");
            CollectionAssert.AreEqual(before, GlobalRandomState(), "Fit seeds the global generator only while it runs");

            options.Threads = null;
            options.Progress = null;
            using var second = ml.Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(ml));
            Assert.AreEqual(2, torch.get_num_threads(), "without Threads the count is never touched");
            CollectionAssert.AreEqual(before, GlobalRandomState());
        }
        finally
        {
            torch.set_num_threads(original);
        }
    }

    [TestMethod]
    public void AFitThatThrowsDisposesItsNetworkAndRaisesTheRealException()
    {
        var ml = new MLContext(seed: 1);
        var options = PretrainTestData.Options(steps: 4);
        options.Progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Step == 2) throw new InvalidTimeZoneException("callback failed at step 2");
        });
        var estimator = ml.Transforms.Megalodon().Pretrain(options);
        MegalodonModel? created = null;
        estimator.ModelCreated = m => created = m;
        var ex = Assert.ThrowsExactly<InvalidTimeZoneException>(() => estimator.Fit(PretrainTestData.TextData(ml)));
        Assert.AreEqual("callback failed at step 2", ex.Message);
        Assert.IsNotNull(created);
        Assert.IsTrue(created.IsDisposed, "the network of the failed Fit is released");
    }

    [TestMethod]
    public void TheMLContextGpuSettingsChooseTheDeviceWhenNoneIsGiven()
    {
        var options = PretrainTestData.Options(steps: 2);
        options.Device = null;
        if (torch.cuda.is_available())
        {
            // With a GPU, the context's id is the device (the fallback cases below need a machine without one).
            var onGpu = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
            using var gpuModel = onGpu.Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(onGpu));
            Assert.AreEqual(DeviceType.CUDA, gpuModel.Model.Device.type);
            Assert.AreEqual(0, gpuModel.Model.Device.index);
            using var noId = new MLContext(seed: 1).Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(onGpu));
            Assert.AreEqual(DeviceType.CPU, noId.Model.Device.type, "no GpuDeviceId: the CPU, as ML.NET's trainers do");
            return;
        }
        var withFallback = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        using var lm = withFallback.Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(withFallback));
        Assert.AreEqual(DeviceType.CPU, lm.Model.Device.type, "no GPU and FallbackToCpu: the CPU");

        var strict = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var estimator = strict.Transforms.Megalodon().Pretrain(options);
        MegalodonModel? created = null;
        estimator.ModelCreated = m => created = m;
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(PretrainTestData.TextData(strict)));
        Assert.Contains("MLContext.GpuDeviceId is 0", ex.Message);
        Assert.Contains("FallbackToCpu", ex.Message);
        Assert.IsNull(created, "nothing is allocated before the device is known");

        options.Device = "cpu";   // an explicit device wins over the context
        using var explicitCpu = strict.Transforms.Megalodon().Pretrain(options).Fit(PretrainTestData.TextData(strict));
        Assert.AreEqual(DeviceType.CPU, explicitCpu.Model.Device.type);
    }

    [TestMethod]
    public void EncoderPretrainingLeavesTheGlobalGeneratorAndThreadCountAsTheyWereAndDisposesOnFailure()
    {
        int original = torch.get_num_threads();
        try
        {
            torch.set_num_threads(2);
            torch.manual_seed(12345);
            var before = GlobalRandomState();
            var ml = new MLContext(seed: 1);
            var texts = PretrainTestData.TextData(ml);
            MaskedLanguageModelEstimator.Options Mlm(int? threads) => new()
            {
                EncoderConfig = EncoderPresets.Tiny() with { NumLayers = 1, ChunkSize = 8 }, MaxSteps = 2, BatchSize = 4, Seed = 1, Threads = threads,
            };
            int threadsDuringFit = 0;
            var asked = Mlm(1);
            asked.Progress = new SynchronousProgress<TrainingProgress>(_ => threadsDuringFit = torch.get_num_threads());
            using (var encoder = ml.Transforms.Megalodon().PretrainEncoder(asked).Fit(texts))
                _ = encoder.Transform(texts).Preview();
            Assert.AreEqual(1, threadsDuringFit, "the asked-for count is used during Fit");
            Assert.AreEqual(2, torch.get_num_threads(), "and the caller's count is restored");
            CollectionAssert.AreEqual(before, GlobalRandomState(), "MLM pretraining seeds the global generator only while it runs");

            using var mlm = ml.Transforms.Megalodon().PretrainEncoder(Mlm(null)).Fit(texts);
            Assert.AreEqual(2, torch.get_num_threads(), "without Threads the count is never touched");
            var concepts = ml.Data.LoadFromConceptSentences(EncoderToyData.ConceptSentences(8));
            using (ml.Transforms.Megalodon().PretrainConceptEncoder(new ConceptPretrainingEstimator.Options { Encoder = mlm.Encoder, MaxSteps = 2, BatchSize = 4, Seed = 1 }).Fit(concepts))
            {
                Assert.AreEqual(2, torch.get_num_threads(), "concept pretraining leaves the count alone");
                CollectionAssert.AreEqual(before, GlobalRandomState(), "and the global generator too");
            }

            var failing = Mlm(null);
            failing.Progress = new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Step == 1) throw new InvalidTimeZoneException("callback failed at step 1");
            });
            var estimator = ml.Transforms.Megalodon().PretrainEncoder(failing);
            List<torch.Tensor>? weights = null;
            estimator.EncoderCreated = e => weights = e.parameters().Cast<torch.Tensor>().ToList();
            var ex = Assert.ThrowsExactly<InvalidTimeZoneException>(() => estimator.Fit(texts));
            Assert.AreEqual("callback failed at step 1", ex.Message);
            Assert.IsNotNull(weights);
            Assert.IsTrue(weights.All(w => w.IsInvalid), "the encoder of the failed Fit is released");
            CollectionAssert.AreEqual(before, GlobalRandomState(), "a failed Fit restores the global generator too");
        }
        finally
        {
            torch.set_num_threads(original);
        }
    }

    [TestMethod]
    public void AFailedNuNerFitDisposesItsTaggerAndRestoresTheGlobalGenerator()
    {
        torch.manual_seed(12345);
        var before = GlobalRandomState();
        var ml = new MLContext(seed: 1);
        var trainer = ml.MulticlassClassification.Trainers.NuNer(new NuNerTrainer.Options
        {
            EncoderConfig = EncoderPresets.Tiny() with { NumLayers = 1, ChunkSize = 8 }, MaxSteps = 4, BatchSize = 4, Seed = 1,
            Progress = new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Step == 1) throw new InvalidTimeZoneException("callback failed at step 1");
            }),
        });
        List<torch.Tensor>? weights = null;
        trainer.ClassifierCreated = c => weights = c.parameters().Cast<torch.Tensor>().ToList();
        var ex = Assert.ThrowsExactly<InvalidTimeZoneException>(() => trainer.Fit(ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(16))));
        Assert.AreEqual("callback failed at step 1", ex.Message);
        Assert.IsNotNull(weights);
        Assert.IsTrue(weights.All(w => w.IsInvalid), "the tagger of the failed Fit is released");
        CollectionAssert.AreEqual(before, GlobalRandomState());
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
