using Megalodon.ML.Model;

namespace Megalodon.ML.Baselines;

/// <summary>
/// Shape of the Llama-style decoder Transformer used as the comparison baseline: pre-norm blocks with RMSNorm,
/// full-sequence causal multi-head attention with rotary position embeddings, a SwiGLU feed-forward network,
/// a final RMSNorm and an untied output head.
/// </summary>
public sealed record LlamaConfig
{
    /// <summary>Vocabulary size V (embedding rows and output width).</summary>
    public int VocabSize { get; init; } = 8192;
    /// <summary>Residual width D.</summary>
    public int ModelDim { get; init; } = 256;
    /// <summary>Number of decoder blocks.</summary>
    public int NumLayers { get; init; } = 4;
    /// <summary>Attention heads H; each head has D/H dimensions.</summary>
    public int NumHeads { get; init; } = 4;
    /// <summary>SwiGLU hidden width F.</summary>
    public int FfnHiddenDim { get; init; } = 683;
    /// <summary>Rotary embedding base.</summary>
    public double RopeBase { get; init; } = 10000.0;
    /// <summary>Epsilon of every RMSNorm.</summary>
    public double NormEps { get; init; } = 1e-5;

    /// <summary>Width of one attention head, D/H.</summary>
    public int HeadDim => ModelDim / NumHeads;

    /// <summary>Checks every field; throws one <see cref="ArgumentException"/> listing all problems.</summary>
    /// <returns>This config, for chaining.</returns>
    public LlamaConfig Validate()
    {
        var problems = new List<string>();
        if (VocabSize <= 0) problems.Add($"VocabSize must be positive (got {VocabSize}).");
        if (ModelDim <= 0) problems.Add($"ModelDim must be positive (got {ModelDim}).");
        if (NumLayers <= 0) problems.Add($"NumLayers must be positive (got {NumLayers}).");
        if (NumHeads <= 0) problems.Add($"NumHeads must be positive (got {NumHeads}).");
        if (FfnHiddenDim <= 0) problems.Add($"FfnHiddenDim must be positive (got {FfnHiddenDim}).");
        if (NumHeads > 0 && ModelDim % NumHeads != 0) problems.Add($"ModelDim ({ModelDim}) must be divisible by NumHeads ({NumHeads}).");
        // Rotary embedding rotates pairs of dimensions.
        if (NumHeads > 0 && ModelDim % NumHeads == 0 && HeadDim % 2 != 0) problems.Add($"The head width ModelDim/NumHeads ({HeadDim}) must be even for rotary embeddings.");
        if (RopeBase <= 0) problems.Add($"RopeBase must be positive (got {RopeBase}).");
        if (NormEps <= 0) problems.Add($"NormEps must be positive (got {NormEps}).");
        if (problems.Count > 0)
            throw new ArgumentException("Invalid Llama config: " + string.Join(" ", problems));
        return this;
    }

    /// <summary>Exact number of trainable parameters of a <see cref="LlamaModel"/> with this shape.</summary>
    public long ParameterCount() => ParameterCount(VocabSize, ModelDim, NumLayers, FfnHiddenDim);

    /// <summary>
    /// Picks the SwiGLU width F so that the baseline's parameter count is as close as possible to
    /// <paramref name="targetParameters"/> (every other dimension is given).
    /// </summary>
    /// <param name="targetParameters">The parameter count to match, typically a Megalodon model's.</param>
    /// <param name="vocabSize">Vocabulary size V.</param>
    /// <param name="modelDim">Residual width D.</param>
    /// <param name="numLayers">Number of blocks.</param>
    /// <param name="numHeads">Attention heads (must divide D).</param>
    /// <returns>A validated config whose <see cref="ParameterCount()"/> is within half of 3·D·layers of the target.</returns>
    /// <exception cref="ArgumentException">The target is too small to leave room for any feed-forward width.</exception>
    public static LlamaConfig MatchingParameterCount(long targetParameters, int vocabSize, int modelDim, int numLayers, int numHeads)
    {
        long withoutFfn = ParameterCount(vocabSize, modelDim, numLayers, ffnHiddenDim: 0);
        long perUnitOfF = 3L * modelDim * numLayers;   // w1, w3 (D→F) and w2 (F→D) in every block
        long ffn = (long)Math.Round((double)(targetParameters - withoutFfn) / perUnitOfF, MidpointRounding.AwayFromZero);
        if (ffn < 1)
            throw new ArgumentException(
                $"A Llama baseline with V={vocabSize}, D={modelDim}, {numLayers} layers already has {withoutFfn:N0} parameters without its FFN, " +
                $"which leaves no room to match {targetParameters:N0}.", nameof(targetParameters));
        return new LlamaConfig
        {
            VocabSize = vocabSize, ModelDim = modelDim, NumLayers = numLayers, NumHeads = numHeads, FfnHiddenDim = checked((int)ffn),
        }.Validate();
    }

    /// <summary>
    /// The baseline with the same vocabulary, width and depth as <paramref name="megalodon"/> and the same total
    /// parameter count (the feed-forward width absorbs the difference).
    /// </summary>
    /// <param name="megalodon">The Megalodon shape to match.</param>
    /// <param name="numHeads">Attention heads of the baseline; 0 picks heads of width 64 (or one head when D is not a multiple of 64).</param>
    public static LlamaConfig MatchingMegalodon(MegalodonConfig megalodon, int numHeads = 0)
    {
        ArgumentNullException.ThrowIfNull(megalodon);
        int heads = numHeads > 0 ? numHeads : Math.Max(1, megalodon.ModelDim % 64 == 0 ? megalodon.ModelDim / 64 : 1);
        return MatchingParameterCount(MegalodonParameterFormula.Count(megalodon), megalodon.EffectiveOutputSize, megalodon.ModelDim, megalodon.NumLayers, heads);
    }

    private static long ParameterCount(long vocab, long d, long layers, long ffnHiddenDim)
    {
        long perBlock = 4 * d * d          // fused q,k,v (3D×D) and the output projection (D×D), no biases
                      + 3 * d * ffnHiddenDim // SwiGLU w1, w3 and w2, no biases
                      + 2 * d;             // two RMSNorm scales
        return vocab * d                   // embedding
             + layers * perBlock
             + d                           // final RMSNorm
             + vocab * d;                  // untied output head
    }
}
