using Megalodon.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>The device a bench mode runs on, and the synchronisation that makes wall-clock timing honest there.</summary>
internal static class BenchDevice
{
    /// <summary>Resolves <see cref="BenchOptions.Device"/>; CUDA asked for and absent is an error, never a silent CPU run.</summary>
    public static Device Resolve(BenchOptions options) => TorchDevices.Resolve(options.Device);

    /// <summary>Waits for the device's queued work: CUDA kernels run asynchronously, so a timer must wait for them.</summary>
    public static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA)
            cuda.synchronize(device);
    }

    /// <summary>Wraps <paramref name="step"/> so that it returns only when its device work is done.</summary>
    public static Action Synchronized(Device device, Action step) => () =>
    {
        step();
        Synchronize(device);
    };
}
