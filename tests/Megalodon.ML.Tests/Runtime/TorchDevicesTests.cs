using Megalodon.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Runtime;

[TestClass]
public sealed class TorchDevicesTests
{
    [TestMethod]
    public void CpuAndAutoResolve()
    {
        Assert.AreEqual(DeviceType.CPU, TorchDevices.Resolve("cpu").type);
        Assert.AreEqual(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, TorchDevices.Resolve("auto").type);
        Assert.AreEqual(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, TorchDevices.Resolve(null).type);
        Assert.AreEqual(DeviceType.CPU, TorchDevices.Resolve(gpuDeviceId: null, fallbackToCpu: false).type);
    }

    [TestMethod]
    public void UnknownDeviceIsRejected()
    {
        foreach (var spec in new[] { "tpu", "cuda:x", "cuda:-1", "gpu" })
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TorchDevices.Resolve(spec)).Message, $"Unknown device '{spec}'");
    }

    [TestMethod]
    public void CudaWithoutAGpuFailsClearlyOrFallsBack()
    {
        if (cuda.is_available())
        {
            // With a GPU: an index past the visible devices is the error case.
            var tooHigh = $"cuda:{cuda.device_count()}";
            StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => TorchDevices.Resolve(tooHigh)).Message, "visible");
            Assert.AreEqual(DeviceType.CPU, TorchDevices.Resolve(tooHigh, fallbackToCpu: true).type);
            return;
        }
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => TorchDevices.Resolve("cuda"));
        StringAssert.Contains(error.Message, "CUDA was requested but is not available");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => TorchDevices.Resolve("cuda:1")).Message, "not available");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => TorchDevices.Resolve(gpuDeviceId: 0, fallbackToCpu: false)).Message, "not available");
        Assert.AreEqual(DeviceType.CPU, TorchDevices.Resolve("cuda", fallbackToCpu: true).type);
        Assert.AreEqual(DeviceType.CPU, TorchDevices.Resolve(gpuDeviceId: 0, fallbackToCpu: true).type);
    }

    [TestMethod]
    public void ThreadCountIsValidated()
    {
        int before = get_num_threads();
        try
        {
            Assert.AreEqual(1, TorchDevices.ConfigureThreads(1));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchDevices.ConfigureThreads(0));
        }
        finally
        {
            set_num_threads(before);
        }
    }
}
