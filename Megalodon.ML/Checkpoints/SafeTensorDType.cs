using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>The safetensors element types this library reads and writes (the ones TorchSharp has a type for).</summary>
public enum SafeTensorDType
{
    /// <summary><c>BOOL</c>: one byte, 0 or 1.</summary>
    Bool,
    /// <summary><c>U8</c>: unsigned 8-bit integer.</summary>
    U8,
    /// <summary><c>I8</c>: signed 8-bit integer.</summary>
    I8,
    /// <summary><c>I16</c>: signed 16-bit integer.</summary>
    I16,
    /// <summary><c>I32</c>: signed 32-bit integer.</summary>
    I32,
    /// <summary><c>I64</c>: signed 64-bit integer.</summary>
    I64,
    /// <summary><c>F16</c>: IEEE half precision.</summary>
    F16,
    /// <summary><c>BF16</c>: bfloat16.</summary>
    BF16,
    /// <summary><c>F32</c>: IEEE single precision.</summary>
    F32,
    /// <summary><c>F64</c>: IEEE double precision.</summary>
    F64,
}

/// <summary>Names, sizes and TorchSharp equivalents of <see cref="SafeTensorDType"/>.</summary>
public static class SafeTensorDTypes
{
    // Valid in the safetensors format but without a TorchSharp 0.107 scalar type: named so the error can say so.
    private static readonly HashSet<string> KnownButUnsupported =
        ["U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"];

    /// <summary>The header spelling of <paramref name="dtype"/> (for example <c>F32</c>).</summary>
    public static string ToName(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool => "BOOL",
        SafeTensorDType.U8 => "U8",
        SafeTensorDType.I8 => "I8",
        SafeTensorDType.I16 => "I16",
        SafeTensorDType.I32 => "I32",
        SafeTensorDType.I64 => "I64",
        SafeTensorDType.F16 => "F16",
        SafeTensorDType.BF16 => "BF16",
        SafeTensorDType.F32 => "F32",
        SafeTensorDType.F64 => "F64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool or SafeTensorDType.U8 or SafeTensorDType.I8 => 1,
        SafeTensorDType.I16 or SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I32 or SafeTensorDType.F32 => 4,
        SafeTensorDType.I64 or SafeTensorDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The TorchSharp scalar type with the same bytes.</summary>
    public static ScalarType ToScalarType(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool => ScalarType.Bool,
        SafeTensorDType.U8 => ScalarType.Byte,
        SafeTensorDType.I8 => ScalarType.Int8,
        SafeTensorDType.I16 => ScalarType.Int16,
        SafeTensorDType.I32 => ScalarType.Int32,
        SafeTensorDType.I64 => ScalarType.Int64,
        SafeTensorDType.F16 => ScalarType.Float16,
        SafeTensorDType.BF16 => ScalarType.BFloat16,
        SafeTensorDType.F32 => ScalarType.Float32,
        SafeTensorDType.F64 => ScalarType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The safetensors dtype for a TorchSharp scalar type.</summary>
    /// <exception cref="NotSupportedException">The type has no safetensors spelling here (complex, quantized).</exception>
    public static SafeTensorDType FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Bool => SafeTensorDType.Bool,
        ScalarType.Byte => SafeTensorDType.U8,
        ScalarType.Int8 => SafeTensorDType.I8,
        ScalarType.Int16 => SafeTensorDType.I16,
        ScalarType.Int32 => SafeTensorDType.I32,
        ScalarType.Int64 => SafeTensorDType.I64,
        ScalarType.Float16 => SafeTensorDType.F16,
        ScalarType.BFloat16 => SafeTensorDType.BF16,
        ScalarType.Float32 => SafeTensorDType.F32,
        ScalarType.Float64 => SafeTensorDType.F64,
        _ => throw new NotSupportedException($"Tensors of type {type} cannot be stored in safetensors by this library."),
    };

    /// <summary>Parses a header spelling; returns false with a reason for unknown or unsupported names.</summary>
    /// <param name="name">The <c>dtype</c> string from the header.</param>
    /// <param name="dtype">The parsed type when the result is true.</param>
    /// <param name="problem">Why the name was refused when the result is false.</param>
    public static bool TryParse(string name, out SafeTensorDType dtype, out string problem)
    {
        foreach (var candidate in Enum.GetValues<SafeTensorDType>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.Ordinal))
            {
                dtype = candidate;
                problem = "";
                return true;
            }
        }
        dtype = default;
        problem = KnownButUnsupported.Contains(name)
            ? $"dtype '{name}' is valid safetensors but has no TorchSharp equivalent"
            : $"unknown dtype '{name}'";
        return false;
    }
}
