using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// CEMA, Megalodon's complex exponential moving average (paper §3.1; spec §4). Each of the D channels drives N
/// complex states <c>h_t = p·u_t + q·h_{t−1}</c> with a real input weight p = sigmoid(α) and a complex decay
/// q = (1 − sigmoid(α)·sigmoid(δ))·e^{iθ_n}, θ_n = n·sigmoid(θ)·2π/N; the output is <c>Re(Σ_n γ_n h_{t,n}) + ω·u_t</c>.
/// </summary>
/// <remarks>
/// Training computes the same function as a causal convolution with the kernel <c>k_j = Re Σ_n p_n γ_n q_n^j</c>
/// (FFT, in fp32). The kernel is built from power tables, <c>q^(bT+a) = q^(bT)·q^a</c>, with the sum over N done as
/// one batched matmul: only D·N·(T + L/T) complex powers are ever evaluated, never D·N·L. Streaming carries the
/// complex state h (B,D,N) between calls.
/// </remarks>
public sealed class ComplexExponentialMovingAverage : nn.Module<Tensor, Tensor>
{
    private readonly int _dim;
    private readonly int _order;
    // Parameter fields carry exactly their registered (reference) names: Module.to() re-binds fields by name.
    private Parameter alpha;
    private Parameter delta;
    private Parameter theta;
    private Parameter gamma;
    private Parameter omega;

    /// <summary>Creates CEMA for <paramref name="dim"/> channels of order <paramref name="order"/>, with the reference initialisation.</summary>
    public ComplexExponentialMovingAverage(int dim, int order) : base(nameof(ComplexExponentialMovingAverage))
    {
        _dim = dim;
        _order = order;
        alpha = new Parameter(empty(dim, order, 1));
        delta = new Parameter(empty(dim, order, 1));
        theta = new Parameter(empty(dim, 1, 1));
        gamma = new Parameter(empty(dim, order, 2));
        omega = new Parameter(empty(dim, 1));
        register_parameter("alpha", alpha);
        register_parameter("delta", delta);
        register_parameter("theta", theta);
        register_parameter("gamma", gamma);
        register_parameter("omega", omega);
        ResetParameters();
    }

    /// <summary>The reference initialisation (spec §4.1), drawn from TorchSharp's global generator.</summary>
    public void ResetParameters()
    {
        using var _ = no_grad();
        nn.init.normal_(alpha, 0, 0.2);
        nn.init.normal_(delta, 0, 0.2);
        // One frequency per channel, log-spaced in (1/D, 1) and randomly assigned to channels.
        using var k = arange(1, _dim + 1, ScalarType.Float64);
        using var f = (-k * Math.Log(_dim) / _dim).exp();
        using var perm = randperm(_dim);
        using var permuted = f.index_select(0, perm);
        using var logit = (permuted / (1 - permuted)).log().to_type(ScalarType.Float32).view(_dim, 1, 1);
        theta.copy_(logit);
        nn.init.normal_(gamma, 0, 1);
        using var imaginary = gamma.select(-1, 1);
        imaginary.zero_();
        nn.init.trunc_normal_(omega, 0, 0.25, -1, 1);
    }

    /// <summary>Whole-sequence CEMA on (B,D,L) from a zero state; output (B,D,L).</summary>
    public override Tensor forward(Tensor u) => Forward(u, null, out _, returnState: false);

    /// <summary>
    /// CEMA on (B,D,L) continuing from the complex state <paramref name="hidden"/> (B,D,N), or from zero when null.
    /// </summary>
    /// <param name="u">Input, channel-major (B,D,L).</param>
    /// <param name="hidden">Carried complex64 state (B,D,N), or null for zero.</param>
    /// <param name="newHidden">The state after the last step when <paramref name="returnState"/>, else null. Not in any dispose scope.</param>
    /// <param name="returnState">Whether to compute <paramref name="newHidden"/>.</param>
    public Tensor Forward(Tensor u, Tensor? hidden, out Tensor? newHidden, bool returnState)
    {
        long length = u.shape[2];
        using var scope = NewDisposeScope();
        var c = Coefficients(u.dtype);
        var u32 = u.to_type(c.Real);
        Tensor y;
        newHidden = null;
        if (length == 1 && (returnState || hidden is not null))
        {
            // One step: the recurrence itself is cheaper than any convolution.
            var h = StepState(c, u32.squeeze(-1), hidden);
            y = (h * c.Gamma).real.sum(-1).unsqueeze(-1);
            if (returnState) newHidden = h.detach().DetachFromDisposeScope();
        }
        else
        {
            y = FftCausalConvolution(u32, Kernel(c, length));
            if (hidden is not null || returnState)
            {
                var tables = PowerTables.For(c, length);
                if (hidden is not null)
                    y = y + CarriedStateContribution(c, hidden, tables, length);
                if (returnState)
                    newHidden = StateAfter(c, u32, hidden, tables, length).detach().DetachFromDisposeScope();
            }
        }
        y = y + omega * u32;
        return y.to_type(u.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The plain sequential recurrence, one step at a time; the reference for the FFT path in tests.</summary>
    internal Tensor ForwardSequential(Tensor u, Tensor? hidden = null)
    {
        using var scope = NewDisposeScope();
        var c = Coefficients(u.dtype);
        var u32 = u.to_type(c.Real);
        var outputs = new List<Tensor>();
        var h = hidden;
        for (long t = 0; t < u.shape[2]; t++)
        {
            var ut = u32.select(2, t);
            h = StepState(c, ut, h);
            outputs.Add((h * c.Gamma).real.sum(-1) + omega.squeeze(-1) * ut);
        }
        return stack(outputs, 2).MoveToOuterDisposeScope();
    }

    /// <summary>The CEMA coefficients, in fp32 also for reduced-precision models, as the reference (fp64 for fp64).</summary>
    internal Coefficient Coefficients(ScalarType activation)
    {
        var real = ComputePrecision.RealFor(activation);
        var p = alpha.to_type(real).squeeze(-1).sigmoid();                                  // (D,N) real input weight
        var logMagnitude = (1 - p * delta.to_type(real).squeeze(-1).sigmoid()).log();      // log|q|, (D,N)
        var harmonics = arange(1, _order + 1, real, p.device).view(1, _order);
        var angle = theta.to_type(real).view(_dim, 1).sigmoid() * (2 * Math.PI / _order) * harmonics; // arg q, (D,N)
        var scaledGamma = gamma.to_type(real) * Math.Sqrt(1.0 / _order);
        var (gammaReal, gammaImag) = (scaledGamma.select(-1, 0), scaledGamma.select(-1, 1));
        return new Coefficient(real, p, logMagnitude, angle, gammaReal, gammaImag, complex(gammaReal, gammaImag));
    }

    /// <summary>
    /// k[d,j] = Re Σ_n p γ q^j for j &lt; L, from power tables: with j = bT + a, k = Re Σ_n (pγ q^{bT})_n (q^a)_n, a
    /// (D, L/T, 2N) × (D, 2N, T) batched matmul in real arithmetic.
    /// </summary>
    internal static Tensor Kernel(Coefficient c, long length)
    {
        long block = Math.Max(1, (long)Math.Ceiling(Math.Sqrt(length)));
        long blocks = (length + block - 1) / block;
        var device = c.P.device;
        var inner = PowersReal(c, arange(0, block, ScalarType.Float64, device));                 // (re, im) of q^a: (D,N,T)
        var outer = PowersReal(c, arange(0, blocks, ScalarType.Float64, device) * block);        // (re, im) of q^{bT}: (D,N,nb)
        // (pγ)·q^{bT}, complex, as real and imaginary parts.
        var cr = c.P * c.GammaReal;
        var ci = c.P * c.GammaImag;
        var ar = cr.unsqueeze(-1) * outer.Re - ci.unsqueeze(-1) * outer.Im;
        var ai = cr.unsqueeze(-1) * outer.Im + ci.unsqueeze(-1) * outer.Re;
        var left = cat([ar, -ai], 1).transpose(1, 2);               // (D, nb, 2N)
        var right = cat([inner.Re, inner.Im], 1);                   // (D, 2N, T)
        return left.bmm(right).reshape(c.P.shape[0], blocks * block).narrow(1, 0, length);
    }

    /// <summary>(Re, Im) of q^e for the given exponents, (D,N,len); exponent·angle products are formed in float64 so long exponents keep their phase.</summary>
    private static (Tensor Re, Tensor Im) PowersReal(Coefficient c, Tensor exponents)
    {
        var e = exponents.view(1, 1, -1);
        var magnitude = (c.LogMagnitude.to_type(ScalarType.Float64).unsqueeze(-1) * e).exp();
        var phase = (c.Angle.to_type(ScalarType.Float64).unsqueeze(-1) * e).remainder(2 * Math.PI);
        return ((magnitude * phase.cos()).to_type(c.Real), (magnitude * phase.sin()).to_type(c.Real));
    }

    /// <summary>Causal linear convolution of u (B,D,L) with k (D,L) through a zero-padded real FFT.</summary>
    private static Tensor FftCausalConvolution(Tensor u, Tensor kernel)
    {
        long length = u.shape[2];
        long fftLength = 2 * NextPowerOfTwo(length);
        var uf = fft.rfft(u, fftLength);
        var kf = fft.rfft(kernel, fftLength);
        return fft.irfft(uf * kf, fftLength).narrow(-1, 0, length);
    }

    /// <summary>
    /// Power tables for a streaming segment of length L: with j = bT + a, q^j = q^(bT)·q^a, so only D·N·(T + L/T)
    /// powers are evaluated (never a D·N·L table) and the sums over positions become real batched matmuls.
    /// </summary>
    private sealed record PowerTables(long Block, long Blocks, Tensor InnerRe, Tensor InnerIm, Tensor OuterRe, Tensor OuterIm, Tensor Q1, Tensor QL)
    {
        public static PowerTables For(Coefficient c, long length)
        {
            var device = c.P.device;
            long block = Math.Max(1, (long)Math.Ceiling(Math.Sqrt(length)));
            long blocks = (length + block - 1) / block;
            var (innerRe, innerIm) = PowersReal(c, arange(0, block, ScalarType.Float64, device));                 // q^a (D,N,T)
            var (outerRe, outerIm) = PowersReal(c, arange(0, blocks, ScalarType.Float64, device) * block);       // q^(bT) (D,N,nb)
            var (ends, endsIm) = PowersReal(c, tensor(new double[] { 1, length }, device: device));                // q^1, q^L
            return new PowerTables(block, blocks, innerRe, innerIm, outerRe, outerIm,
                complex(ends.select(-1, 0), endsIm.select(-1, 0)), complex(ends.select(-1, 1), endsIm.select(-1, 1)));
        }
    }

    /// <summary>b[b,d,j] = Re Σ_n γ_n q_n^{j+1} h[b,d,n]: how the carried state continues into this segment.</summary>
    private static Tensor CarriedStateContribution(Coefficient c, Tensor hidden, PowerTables t, long length)
    {
        long dim = c.P.shape[0], order = c.P.shape[1], batch = hidden.shape[0];
        // (γ·h·q) q^(bT) q^a, summed over n as a real (D, B·nb, 2N) × (D, 2N, T) matmul.
        var g = (hidden.to_type(ComputePrecision.ComplexFor(c.Real)) * c.Gamma * t.Q1).permute(1, 2, 0);        // (D,N,B)
        var (gr, gi) = (g.real.unsqueeze(-1), g.imag.unsqueeze(-1));                                              // (D,N,B,1)
        var (or, oi) = (t.OuterRe.unsqueeze(2), t.OuterIm.unsqueeze(2));                                          // (D,N,1,nb)
        var wr = (gr * or - gi * oi).reshape(dim, order, batch * t.Blocks);
        var wi = (gr * oi + gi * or).reshape(dim, order, batch * t.Blocks);
        var left = cat([wr, -wi], 1).transpose(1, 2);                                                             // (D, B·nb, 2N)
        var right = cat([t.InnerRe, t.InnerIm], 1);                                                               // (D, 2N, T)
        return left.bmm(right).reshape(dim, batch, t.Blocks * t.Block).narrow(-1, 0, length).permute(1, 0, 2);    // (B,D,L)
    }

    /// <summary>h_L = q^L·h + p·Σ_r q^r u_{L−1−r}: the state after this segment, with r = bT + a in the power tables.</summary>
    private static Tensor StateAfter(Coefficient c, Tensor u, Tensor? hidden, PowerTables t, long length)
    {
        long dim = c.P.shape[0], order = c.P.shape[1], batch = u.shape[0], padded = t.Blocks * t.Block;
        var reversed = nn.functional.pad(u.flip(-1), [0, padded - length]);                                        // (B,D,nb·T)
        var blocked = reversed.view(batch, dim, t.Blocks, t.Block).permute(1, 3, 0, 2).reshape(dim, t.Block, batch * t.Blocks); // (D,T,B·nb)
        var partial = cat([t.InnerRe, t.InnerIm], 1).bmm(blocked).view(dim, 2, order, batch, t.Blocks);            // (D,2,N,B,nb)
        var (pr, pi) = (partial.select(1, 0), partial.select(1, 1));
        var (or, oi) = (t.OuterRe.unsqueeze(2), t.OuterIm.unsqueeze(2));
        var sumRe = (pr * or - pi * oi).sum(-1);                                                                  // (D,N,B)
        var sumIm = (pr * oi + pi * or).sum(-1);
        var p = c.P.unsqueeze(-1);
        var state = complex(p * sumRe, p * sumIm).permute(2, 0, 1);                                               // (B,D,N)
        if (hidden is not null)
            state = state + t.QL * hidden.to_type(ComputePrecision.ComplexFor(c.Real));
        return state;
    }

    /// <summary>One recurrence step: h = q·h + p·u, for u (B,D).</summary>
    private static Tensor StepState(Coefficient c, Tensor u, Tensor? hidden)
    {
        var input = c.P * u.unsqueeze(-1);                                                         // (B,D,N) real
        var fresh = complex(input, zeros_like(input));
        if (hidden is null) return fresh;
        var q = polar(c.LogMagnitude.exp(), c.Angle);
        return q * hidden.to_type(ComputePrecision.ComplexFor(c.Real)) + fresh;
    }

    private static long NextPowerOfTwo(long n)
    {
        long m = 1;
        while (m < n) m <<= 1;
        return m;
    }

    /// <summary>The per-(channel, order) coefficients of one forward.</summary>
    internal readonly record struct Coefficient(ScalarType Real, Tensor P, Tensor LogMagnitude, Tensor Angle, Tensor GammaReal, Tensor GammaImag, Tensor Gamma);
}
