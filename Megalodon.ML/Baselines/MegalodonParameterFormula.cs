using Megalodon.ML.Model;

namespace Megalodon.ML.Baselines;

/// <summary>
/// Megalodon's trainable parameter count from its config alone (the per-layer formula of the reference's
/// state_dict), so a matching baseline can be sized without building the model.
/// </summary>
internal static class MegalodonParameterFormula
{
    /// <summary>Total trainable parameters (buffers such as TimestepNorm priors and RoPE frequencies excluded).</summary>
    public static long Count(MegalodonConfig c)
    {
        long d = c.ModelDim, z = c.ZDim, e = c.ValueDim, n = c.CemaNDim, f = c.FfnHiddenDim, v = c.VocabSize;
        long o = c.EffectiveOutputSize;
        long perLayer =
              4 * z                         // MAGA gamma and beta, (2,Z) each
            + 2 * d                         // TimestepNorm weight and bias
            + 4 * d * n + 2 * d             // CEMA alpha, delta (D,N,1), gamma (D,N,2), theta (D,1,1), omega (D,1)
            + (c.NormAffine ? d : 0)        // RMSNorm scale
            + (d * e + e)                   // wv
            + (d * z + z)                   // wz
            + (d * e + e)                   // wr
            + (d * d + d)                   // wh1
            + e * d                         // wh2, no bias
            + (c.NormAffine ? 2 * d : 0)    // FFN LayerNorm weight and bias
            + (c.SwiGlu ? 3 : 2) * d * f    // fc1, fc2 (and fc3)
            + (c.RescaleNffn ? d : 0);      // layer scale
        return v * d                        // embedding
             + c.NumLayers * perLayer
             + 2 * d                        // final TimestepNorm weight and bias
             + (c.ShareEmb ? 0 : o * d);    // output projection unless tied
    }
}
