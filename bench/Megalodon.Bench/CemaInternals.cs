using System.Reflection;
using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Reaches the CEMA module's private coefficient and kernel construction by reflection, so that they can be timed
/// exactly as the model runs them. Every member returns null when the model's internals changed shape; the bench
/// then skips that row rather than failing.
/// </summary>
internal static class CemaInternals
{
    private const BindingFlags Flags = BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>A call of the private <c>Coefficients</c> for fp32 activations (returns the boxed coefficient record).</summary>
    public static Func<object>? Coefficients(ComplexExponentialMovingAverage cema)
    {
        var method = typeof(ComplexExponentialMovingAverage).GetMethod("Coefficients", Flags);
        object?[]? arguments = method?.GetParameters() switch
        {
            { Length: 0 } => null,
            [{ ParameterType: var t }] when t == typeof(ScalarType) => [ScalarType.Float32],
            _ => [],
        };
        if (method is null || arguments is { Length: 0 })
            return null;
        return () => method.Invoke(cema, arguments)!;
    }

    /// <summary>A call of the private <c>Kernel(coefficients, length)</c> after <see cref="Coefficients"/>: k (D,L).</summary>
    public static Func<Tensor>? Kernel(ComplexExponentialMovingAverage cema, long length)
    {
        var coefficients = Coefficients(cema);
        var kernel = typeof(ComplexExponentialMovingAverage).GetMethod("Kernel", Flags);
        if (coefficients is null || kernel is null || kernel.GetParameters().Length != 2)
            return null;
        return () => (Tensor)kernel.Invoke(null, [coefficients(), length])!;
    }
}
