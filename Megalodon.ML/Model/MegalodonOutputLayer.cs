using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>The model head: a final TimestepNorm (not LayerNorm or RMSNorm) and a bias-free projection to the vocabulary, unless tied to the embedding.</summary>
public sealed class MegalodonOutputLayer : nn.Module<Tensor, Tensor>
{
    private readonly TimestepNorm final_norm;
    private readonly Linear? output;
    private readonly PrecisionPolicy _precision;

    /// <summary>Creates the head; with <c>share_emb</c> it has no projection of its own (the model passes the embedding matrix).</summary>
    /// <param name="config">The architecture.</param>
    /// <param name="precision">The model's mixed-precision policy (a full-precision one when null).</param>
    public MegalodonOutputLayer(MegalodonConfig config, PrecisionPolicy? precision = null) : base(nameof(MegalodonOutputLayer))
    {
        _precision = precision ?? new PrecisionPolicy();
        final_norm = new TimestepNorm(config.ModelDim, config.NormNumGroups, config.NormEps);
        register_module("final_norm", final_norm);
        if (!config.ShareEmb)
        {
            output = nn.Linear(config.ModelDim, config.EffectiveOutputSize, hasBias: false);
            register_module("output", output);
        }
    }

    internal TimestepNorm FinalNorm => final_norm;

    /// <summary>The untied projection matrix (V,D), or null with <c>share_emb</c>.</summary>
    internal Tensor? OwnProjectionWeight => output?.weight;

    /// <summary>Logits (float32) from normalised hidden states, with the untied projection.</summary>
    public override Tensor forward(Tensor hidden) => Project(hidden, OwnProjectionWeight
        ?? throw new InvalidOperationException("share_emb is on: the projection is the embedding matrix; use MegalodonModel.Project."));

    /// <summary>Logits = hidden · weightᵀ, in float32 (float64 for a float64 model), the product under the model's precision policy.</summary>
    internal Tensor Project(Tensor hidden, Tensor weight) => _precision.Logits(hidden, weight);
}
