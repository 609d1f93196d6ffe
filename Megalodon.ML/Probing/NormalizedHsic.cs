using static TorchSharp.torch;

namespace Megalodon.ML.Probing;

/// <summary>
/// The normalised HSIC dependence estimate TracingLLM uses as its mutual-information proxy (after the HSIC-bottleneck
/// code): Gaussian kernels <c>K = exp(−D²/(2σ²·dim))</c>, centred as <c>K̃ = K·H</c>,
/// <c>R = K̃ (K̃ + ε m I)⁻¹</c>, and <c>nHSIC(A, B) = Σᵢⱼ R_A ∘ R_Bᵀ = trace(R_A R_B)</c>. Labels enter as one-hot
/// vectors. Computed in float64.
/// </summary>
public static class NormalizedHsic
{
    /// <summary>The paper's kernel width σ.</summary>
    public const double DefaultSigma = 50;

    /// <summary>The paper's ridge ε.</summary>
    public const double DefaultEpsilon = 1e-5;

    /// <summary>nHSIC between two sets of row vectors (same rows, any widths).</summary>
    /// <param name="a">m rows.</param>
    /// <param name="b">m rows.</param>
    /// <param name="sigma">Kernel width σ (the bandwidth is σ²·dim).</param>
    /// <param name="epsilon">Ridge ε, scaled by m.</param>
    /// <exception cref="ArgumentException">Row counts differ, fewer than two rows, or ragged rows.</exception>
    public static double Estimate(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b, double sigma = DefaultSigma, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"The two sets have {a.Count} and {b.Count} rows; nHSIC pairs rows.", nameof(b));
        if (a.Count < 2) throw new ArgumentException("nHSIC needs at least two rows.", nameof(a));
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be positive.");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        using var scope = NewDisposeScope();
        return Pair(Resolvent(a, sigma, epsilon, nameof(a)), Resolvent(b, sigma, epsilon, nameof(b)));
    }

    /// <summary>nHSIC of two precomputed resolvents (same rows): Σᵢⱼ R_A ∘ R_Bᵀ.</summary>
    internal static double Pair(Tensor ra, Tensor rb) => (ra * rb.t()).sum().item<double>();

    /// <summary>The resolvent R = K̃ (K̃ + ε m I)⁻¹ of one set of rows, to pair with several others without recomputing it.</summary>
    internal static Tensor Resolvent(IReadOnlyList<float[]> rows, double sigma, double epsilon, string name) => Resolvent(Matrix(rows, name), sigma, epsilon);

    /// <summary>nHSIC between row vectors and binary labels (one-hot, as the paper's code).</summary>
    public static double EstimateWithLabels(IReadOnlyList<float[]> a, IReadOnlyList<bool> labels, double sigma = DefaultSigma, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Estimate(a, OneHot(labels), sigma, epsilon);
    }

    /// <summary>Binary labels as one-hot rows (false → [1, 0], true → [0, 1]).</summary>
    public static float[][] OneHot(IReadOnlyList<bool> labels) => labels.Select(l => l ? new float[] { 0, 1 } : new float[] { 1, 0 }).ToArray();

    private static Tensor Matrix(IReadOnlyList<float[]> rows, string name)
    {
        int width = rows[0].Length;
        if (width == 0) throw new ArgumentException("Rows are empty.", name);
        var flat = new double[rows.Count * width];
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != width) throw new ArgumentException($"Row {r} has {rows[r].Length} values, row 0 has {width}.", name);
            for (int i = 0; i < width; i++) flat[r * width + i] = rows[r][i];
        }
        return tensor(flat).view(rows.Count, width);
    }

    /// <summary>R = K̃ (K̃ + ε m I)⁻¹ with K̃ = K H.</summary>
    private static Tensor Resolvent(Tensor x, double sigma, double epsilon)
    {
        long m = x.shape[0], dim = x.shape[1];
        var squares = (x * x).sum(dim: 1, keepdim: true);
        var distances = (squares + squares.t() - 2 * x.matmul(x.t())).clamp_min(0);
        var kernel = (-distances / (2 * sigma * sigma * dim)).exp();
        var centring = eye(m, dtype: ScalarType.Float64) - full(new[] { m, m }, 1.0 / m, dtype: ScalarType.Float64);
        var centred = kernel.matmul(centring);
        var ridge = centred + eye(m, dtype: ScalarType.Float64) * (epsilon * m);
        return centred.matmul(linalg.inv(ridge));
    }
}
