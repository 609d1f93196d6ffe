using Megalodon.ML.Model;
using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
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
        if (torch.cuda.is_available()) Assert.Inconclusive("This check of the CPU fallback needs a machine without CUDA.");
        var options = PretrainTestData.Options(steps: 2);
        options.Device = null;
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

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
