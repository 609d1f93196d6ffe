using Megalodon.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// NuNER's concept encoder: a <see cref="BidirectionalEncoder"/> of its own over the concept name, mean-pooled into
/// one vector per concept, and the (token, concept) score <c>s · ⟨h_t, e_c⟩ / √F + b</c> whose sigmoid is the
/// probability that token t belongs to a mention of concept c.
/// </summary>
/// <remarks>
/// The learned scale s (kept as its log) and bias b let the plain dot product of the paper start at a sensible
/// temperature and at a low prior: most (token, concept) pairs are negatives.
/// </remarks>
public sealed class ConceptEncoder : nn.Module
{
    private readonly BidirectionalEncoder encoder;
    private readonly Parameter log_scale;
    private readonly Parameter bias;

    /// <summary>
    /// A concept encoder whose name encoder starts as a copy of <paramref name="initial"/> (NuNER starts both encoders from
    /// the same checkpoint), on the same device and with the same <see cref="BidirectionalEncoder.MatmulType"/>.
    /// </summary>
    /// <param name="initial">The encoder to copy.</param>
    public ConceptEncoder(BidirectionalEncoder initial) : this((initial ?? throw new ArgumentNullException(nameof(initial))).Config, initial.Device)
    {
        ModuleState.CopyInto(initial, encoder, "encoder");
        encoder.MatmulType = initial.MatmulType;
    }

    /// <summary>A freshly initialised concept encoder of the given shape.</summary>
    /// <param name="config">The shape of each direction of the name encoder.</param>
    /// <param name="device">Where to place the weights; null for the CPU.</param>
    public ConceptEncoder(MegalodonConfig config, Device? device = null) : base(nameof(ConceptEncoder))
    {
        encoder = new BidirectionalEncoder(config, device);
        log_scale = nn.Parameter(tensor(0f, device: encoder.Device));
        bias = nn.Parameter(tensor(-4f, device: encoder.Device)); // sigmoid(-4) ≈ 0.02: most pairs are negatives
        register_module("encoder", encoder);
        register_parameter("log_scale", log_scale);
        register_parameter("bias", bias);
    }

    /// <summary>The name encoder.</summary>
    public BidirectionalEncoder NameEncoder => encoder;

    /// <summary>Width of a concept embedding (the text encoder's feature width must match).</summary>
    public int FeatureDim => encoder.FeatureDim;

    /// <summary>The device of the parameters.</summary>
    public Device Device => encoder.Device;

    /// <summary>One embedding per concept name (C,F): the mean of the name encoder's features over the name's tokens.</summary>
    /// <param name="names">Concept names; each must hold a non-space character.</param>
    /// <exception cref="ArgumentException">A name is empty or all whitespace.</exception>
    public Tensor Embed(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0) throw new ArgumentException("At least one concept name is needed.", nameof(names));
        var encoded = new List<int[]>(names.Count);
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Concept names must not be empty or whitespace.", nameof(names));
            encoded.Add(EncodedText.Encode(NormalizeName(name), 128).Ids);
        }
        using var scope = NewDisposeScope();
        var (ids, lengths, mask) = TokenBatch.Pad(encoded, Device);
        var features = encoder.forward(ids, lengths);
        var weights = mask.to(features.dtype).unsqueeze(-1);
        var pooled = (features * weights).sum(dim: 1) / weights.sum(dim: 1);
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>Logits (…,C) of every token feature (…,F) against every concept embedding (C,F).</summary>
    public Tensor Score(Tensor tokenFeatures, Tensor conceptEmbeddings)
    {
        using var scope = NewDisposeScope();
        var dot = matmul(tokenFeatures, conceptEmbeddings.t()) / Math.Sqrt(FeatureDim);
        return (dot * log_scale.exp() + bias).MoveToOuterDisposeScope();
    }

    /// <summary>The paper's score: the plain dot products (…,C) of token features (…,F) and concept embeddings (C,F), no scale or bias.</summary>
    public static Tensor DotProduct(Tensor tokenFeatures, Tensor conceptEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(tokenFeatures);
        ArgumentNullException.ThrowIfNull(conceptEmbeddings);
        return matmul(tokenFeatures, conceptEmbeddings.t());
    }

    /// <summary>The form in which names are encoded: trimmed and lower-case (NuNER Zero expects lower-case labels).</summary>
    /// <param name="name">A concept name.</param>
    public static string NormalizeName(string name) => name.Trim().ToLowerInvariant();

    /// <summary>Parameters and buffers by name, as detached CPU copies (the caller disposes them).</summary>
    public Dictionary<string, Tensor> StateTensors() => ModuleState.Snapshot(this);

    /// <summary>Copies tensors named as in <see cref="StateTensors"/> into this module.</summary>
    /// <exception cref="ArgumentException">Missing, unexpected or mis-shaped tensors (all listed).</exception>
    public void LoadStateTensors(IReadOnlyDictionary<string, Tensor> tensors) => ModuleState.Load(this, tensors, "concept encoder");
}
