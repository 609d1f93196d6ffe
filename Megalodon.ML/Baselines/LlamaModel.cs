using Megalodon.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Baselines;

/// <summary>
/// Llama-style decoder Transformer, the baseline Megalodon is compared against: token embedding, pre-norm blocks
/// (RMSNorm, full-sequence causal attention with rotary embeddings, SwiGLU), a final RMSNorm and an untied head.
/// Maps tokens (B,L) int64 to logits (B,L,V) float32, like <c>MegalodonModel</c>, so one training loop drives both.
/// </summary>
public sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed;
    private readonly ModuleList<LlamaBlock> layers;
    private readonly LlamaRmsNorm norm;
    private readonly Linear output;
    private readonly LlamaRotaryEmbedding _rope;

    /// <summary>Builds the model with GPT-2/Llama-style initialisation (N(0, 0.02); residual projections scaled by 1/sqrt(2·layers)).</summary>
    /// <param name="config">The shape; validated here.</param>
    /// <param name="device">Where the parameters live; null means CPU.</param>
    public LlamaModel(LlamaConfig config, Device? device = null) : base(nameof(LlamaModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        _rope = new LlamaRotaryEmbedding(config.HeadDim, config.RopeBase);
        embed = nn.Embedding(config.VocabSize, config.ModelDim, device: device);
        layers = new ModuleList<LlamaBlock>();
        for (int i = 0; i < config.NumLayers; i++)
            layers.Add(new LlamaBlock(config, _rope, Precision, device));
        norm = new LlamaRmsNorm(config.ModelDim, config.NormEps, device);
        output = nn.Linear(config.ModelDim, config.VocabSize, hasBias: false, device: device);
        RegisterComponents();
        Initialise();
    }

    /// <summary>
    /// Mixed precision of the block projections (q/k/v, output, SwiGLU), as Megalodon's: set
    /// <see cref="PrecisionPolicy.MatmulType"/> to bf16 for bf16 matmuls on fp32 master weights. Norms and the residual
    /// stream stay in fp32, and the head's product runs under the same policy (fp32 logits), as in <c>MegalodonModel</c>,
    /// so the two compare like for like.
    /// </summary>
    public PrecisionPolicy Precision { get; } = new();

    /// <summary>The shape this model was built with.</summary>
    public LlamaConfig Config { get; }

    /// <summary>tokens (B,L) int64 → logits (B,L,V) float32, causal over the whole sequence.</summary>
    public override Tensor forward(Tensor tokens)
    {
        if (tokens.dim() != 2)
            throw new ArgumentException($"Expected tokens of shape (B,L); got {tokens.dim()} dimensions.", nameof(tokens));
        using var scope = torch.NewDisposeScope();
        var x = embed.forward(tokens);
        foreach (var layer in layers)
            x = layer.forward(x);
        return Precision.Logits(norm.forward(x), output.weight!).MoveToOuterDisposeScope();
    }

    /// <summary>Number of trainable parameters (equals <see cref="LlamaConfig.ParameterCount()"/>).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    private void Initialise()
    {
        const double std = 0.02;
        double residualStd = std / Math.Sqrt(2.0 * Config.NumLayers);   // keeps the residual stream's variance flat with depth
        using var noGrad = torch.no_grad();
        nn.init.normal_(embed.weight!, 0, std);
        nn.init.normal_(output.weight!, 0, std);
        foreach (var layer in layers)
        {
            nn.init.normal_(layer.Attention.Qkv.weight!, 0, std);
            nn.init.normal_(layer.Attention.Out.weight!, 0, residualStd);
            nn.init.normal_(layer.FeedForward.In.weight!, 0, std);
            nn.init.normal_(layer.FeedForward.Out.weight!, 0, residualStd);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _rope.Dispose();
        base.Dispose(disposing);
    }
}
