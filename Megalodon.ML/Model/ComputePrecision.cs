using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// The dtype the precision-sensitive parts (CEMA, norms, RoPE, softmax, logits) compute in: fp32 for fp32 and
/// reduced-precision activations, as the reference does, and fp64 for fp64 activations, so that a float64 model is
/// float64 throughout (finite-difference gradient checks rely on that).
/// </summary>
internal static class ComputePrecision
{
    /// <summary>fp64 for fp64 input, else fp32.</summary>
    public static ScalarType RealFor(ScalarType activation) => activation == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>The complex type matching <see cref="RealFor"/>.</summary>
    public static ScalarType ComplexFor(ScalarType activation) => activation == ScalarType.Float64 ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32;
}
