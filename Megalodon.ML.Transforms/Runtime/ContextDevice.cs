using Megalodon.ML.Runtime;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Megalodon.ML.Transforms;

/// <summary>
/// The device a Fit runs on: the one given explicitly, else the MLContext's <c>GpuDeviceId</c> (with its
/// <c>FallbackToCpu</c>), else the CPU, as ML.NET's own TorchSharp trainers choose.
/// </summary>
internal static class ContextDevice
{
    /// <summary>Resolves the device of a Fit.</summary>
    /// <param name="environment">The MLContext (or a host registered from it) the estimator was made with.</param>
    /// <param name="device">An explicit choice (cpu, cuda, cuda:N, auto); null or empty defers to the MLContext.</param>
    /// <exception cref="InvalidOperationException">The MLContext asks for a GPU that is not available and FallbackToCpu is false; the message names the setting.</exception>
    public static Device Resolve(IHostEnvironment environment, string? device)
    {
        if (!string.IsNullOrWhiteSpace(device)) return TorchDevices.Resolve(device);
        var settings = environment as IHostEnvironmentInternal;
        if (settings?.GpuDeviceId is not { } gpu) return TorchDevices.Resolve("cpu");
        try
        {
            return TorchDevices.Resolve(gpu, settings.FallbackToCpu);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"MLContext.GpuDeviceId is {gpu} and MLContext.FallbackToCpu is false, but that GPU cannot be used: {ex.Message} " +
                "Set FallbackToCpu = true to run on the CPU instead, or give the estimator's Device option explicitly.", ex);
        }
    }
}
