using Megalodon.ML.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>
/// The Megalodon language model (arXiv 2404.08801), numerically the reference implementation's: token embedding,
/// <see cref="MegalodonBlock"/>s (CEMA + TimestepNorm + normalised chunk-wise attention + two-hop residual), a final
/// TimestepNorm and the output projection. Parameter and buffer names are the reference's.
/// </summary>
/// <remarks>
/// Two ways to run it: <see cref="forward"/> over whole sequences (training; L &lt; C or a multiple of C), and
/// <see cref="Step"/> over a stream in calls of any length, carrying a <see cref="MegalodonState"/> of bounded size.
/// Any split of a sequence into <see cref="Step"/> calls gives the logits of one full forward.
/// </remarks>
public sealed class MegalodonModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed;
    private readonly RotaryEmbedding rope;
    private readonly ModuleList<MegalodonBlock> layers;
    private readonly MegalodonOutputLayer output;

    /// <summary>
    /// Builds the model with the reference initialisation, drawn from TorchSharp's global generator (a Fit seeds it
    /// inside a <see cref="Runtime.GlobalRandomScope"/>, which restores the caller's state afterwards).
    /// </summary>
    /// <param name="config">The architecture; it is validated.</param>
    /// <param name="device">Where to place it; null for CPU.</param>
    public MegalodonModel(MegalodonConfig config, Device? device = null) : base(nameof(MegalodonModel))
    {
        TorchNativeLoader.EnsureReady();
        Config = config.Validate();
        embed = nn.Embedding(config.VocabSize, config.ModelDim);
        rope = new RotaryEmbedding(config.HeadZDim, config.EffectiveRopeBase);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(i => new MegalodonBlock(config, i, Precision, Attention)).ToArray());
        output = new MegalodonOutputLayer(config, Precision);
        register_module("embed", embed);
        register_module("rope", rope);
        register_module("layers", layers);
        register_module("output", output);
        MegalodonInitializer.Initialize(this, config);
        if (device is not null && device.type != DeviceType.CPU)
            this.to(device);
    }

    /// <summary>The architecture.</summary>
    public MegalodonConfig Config { get; }

    /// <summary>Mixed precision: set <see cref="PrecisionPolicy.MatmulType"/> to bf16 for bf16 projections on fp32 master weights.</summary>
    public PrecisionPolicy Precision { get; } = new();

    /// <summary>
    /// The attention kernel over whole chunks: <see cref="AttentionKernel.Auto"/> (default) is the measured-fastest
    /// one (the explicit path); <c>scaled_dot_product_attention</c> kernels compute the same function.
    /// </summary>
    public AttentionPolicy Attention { get; } = new();

    /// <summary>
    /// Called during forward passes with named intermediates (<c>layer{i}.timestep_norm.in</c>, <c>.timestep_norm.out</c>,
    /// <c>.cema.in</c>, <c>.cema.out</c>, <c>.rmsnorm.out</c>, <c>.attention.out</c>, <c>.attn_out</c>, <c>.out</c>, and
    /// <c>hidden.final</c>). The tensor belongs to the forward pass and its dispose scope: to keep it, use
    /// <c>t.detach().clone().DetachFromDisposeScope()</c>.
    /// </summary>
    public Action<string, Tensor>? Tap { get; set; }

    /// <summary>The device of the parameters.</summary>
    public Device Device => embed.weight!.device;

    /// <summary>Forward calls so far (<see cref="ForwardHidden"/> and streaming calls): tests count model computations with it.</summary>
    internal long ForwardCalls => Interlocked.Read(ref _forwardCalls);
    private long _forwardCalls;

    internal Embedding Embedding => embed;
    internal IReadOnlyList<MegalodonBlock> Blocks => layers.ToList();
    internal MegalodonOutputLayer Output => output;

    /// <summary>Logits (B,L,V) float32 for tokens (B,L) int64.</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        return Project(ForwardHidden(tokens)).MoveToOuterDisposeScope();
    }

    /// <summary>The final hidden states (B,L,D), after the final TimestepNorm, for tokens (B,L).</summary>
    /// <param name="tokens">Token ids (B,L), int64.</param>
    /// <param name="lastPositions">Per row, the position of its last real token when rows are right-padded (told to the intervention); null when none are padded.</param>
    /// <param name="intervention">
    /// Changes layer outputs during this call only (steering), after each block, before the next one; null (the default)
    /// leaves the computation exactly as it is. It is an argument, not model state, so concurrent calls with and without
    /// one do not see each other's.
    /// </param>
    public Tensor ForwardHidden(Tensor tokens, IReadOnlyList<long>? lastPositions = null, LayerIntervention? intervention = null)
    {
        CheckTokens(tokens);
        Config.CheckSequenceLength((int)tokens.shape[1]);
        if (lastPositions is not null && lastPositions.Count != tokens.shape[0])
            throw new ArgumentException($"lastPositions has {lastPositions.Count} entries for {tokens.shape[0]} rows.", nameof(lastPositions));
        Interlocked.Increment(ref _forwardCalls);
        using var scope = NewDisposeScope();
        var x = Embed(tokens);
        var context = new InterventionContext(lastPositions, EndsCall: true);
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].Forward(x, rope, null, Tap);
            if (intervention is not null) x = intervention.Apply(i, x, context);
        }
        var hidden = output.FinalNorm.forward(x);
        Tap?.Invoke("hidden.final", hidden);
        return hidden.MoveToOuterDisposeScope();
    }

    /// <summary>Logits (…,V) float32 from final hidden states (…,D).</summary>
    public Tensor Project(Tensor hidden) => output.Project(hidden, ProjectionWeight);

    /// <summary>The output projection matrix (V,D): the embedding matrix when tied.</summary>
    internal Tensor ProjectionWeight => output.OwnProjectionWeight ?? embed.weight!;

    /// <summary>A fresh streaming state for <paramref name="batchSize"/> sequences.</summary>
    public MegalodonState NewState(int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be positive.");
        return new MegalodonState(batchSize, Config.NumLayers);
    }

    /// <summary>Streams tokens (B,s), any s ≥ 1, through the model, updating <paramref name="state"/>; returns their logits (B,s,V). Runs without gradients.</summary>
    /// <param name="tokens">Token ids (B,s), int64.</param>
    /// <param name="state">The streaming state, updated.</param>
    /// <param name="intervention">Changes layer outputs during this call only, as in <see cref="ForwardHidden"/>; null for none.</param>
    public Tensor Step(Tensor tokens, MegalodonState state, LayerIntervention? intervention = null)
    {
        using var scope = NewDisposeScope();
        return Project(StepHidden(tokens, state, intervention)).MoveToOuterDisposeScope();
    }

    /// <summary>Like <see cref="Step"/>, returning the final hidden states (B,s,D).</summary>
    public Tensor StepHidden(Tensor tokens, MegalodonState state, LayerIntervention? intervention = null)
    {
        CheckTokens(tokens);
        if (tokens.shape[0] != state.BatchSize)
            throw new ArgumentException($"The state was made for batch size {state.BatchSize}, but the tokens have {tokens.shape[0]} rows.");
        Interlocked.Increment(ref _forwardCalls);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var pieces = new List<Tensor>();
        long start = 0, length = tokens.shape[1];
        while (start < length)
        {
            long piece = NextPieceLength(state.Position % Config.ChunkSize, length - start);
            var x = Embed(tokens.narrow(1, start, piece));
            var context = new InterventionContext(null, EndsCall: start + piece == length);
            for (int i = 0; i < layers.Count; i++)
            {
                x = layers[i].Forward(x, rope, state.Layers[i], Tap);
                if (intervention is not null) x = intervention.Apply(i, x, context);
            }
            var hidden = output.FinalNorm.Forward(x, state.FinalNorm, out var finalNorm, returnState: true);
            state.ReplaceFinalNorm(finalNorm!);
            state.Position += piece;
            pieces.Add(hidden);
            start += piece;
        }
        var all = pieces.Count == 1 ? pieces[0] : cat(pieces, 1);
        // Prefill-sized calls free large temporaries; hand them back so a long stream keeps a flat footprint.
        if (length >= Config.ChunkSize)
            NativeHeap.Trim();
        return all.MoveToOuterDisposeScope();
    }

    /// <summary>Whole chunks processed together by one streaming piece (as the reference's inference helper): more would only raise peak memory.</summary>
    public const int ChunksPerStreamingPiece = 2;

    /// <summary>
    /// Splits a stream at chunk boundaries: inside a partial chunk, up to its end; at a boundary, up to
    /// <see cref="ChunksPerStreamingPiece"/> whole chunks (processed like a full forward), else the remainder.
    /// </summary>
    private long NextPieceLength(long offsetInChunk, long remaining)
    {
        long chunk = Config.ChunkSize;
        if (offsetInChunk > 0) return Math.Min(remaining, chunk - offsetInChunk);
        if (remaining < chunk) return remaining;
        return Math.Min(remaining / chunk, ChunksPerStreamingPiece) * chunk;
    }

    private Tensor Embed(Tensor tokens)
    {
        var x = embed.forward(tokens);
        if (Config.ScaleEmb) x = x * Math.Sqrt(Config.ModelDim);
        if (training && Config.Dropout > 0) x = nn.functional.dropout(x, Config.Dropout, training);
        return x;
    }

    private void CheckTokens(Tensor tokens)
    {
        if (tokens.dim() != 2)
            throw new ArgumentException($"Tokens must be a (batch, length) tensor; got {tokens.dim()} dimensions.");
        if (tokens.dtype != ScalarType.Int64)
            throw new ArgumentException($"Tokens must be int64; got {tokens.dtype}.");
        if (tokens.shape[1] == 0)
            throw new ArgumentException("Tokens must hold at least one position.");
    }

    /// <summary>
    /// Parameters and buffers under the reference's names, as detached CPU copies. With tied embeddings both
    /// <c>embed.weight</c> and <c>output.output.weight</c> are present, as in the reference's state dict.
    /// </summary>
    public Dictionary<string, Tensor> ReferenceStateDict()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in state_dict())
            result[name] = tensor.detach().cpu().clone();
        if (Config.ShareEmb)
            result[TiedOutputName] = result[EmbeddingName].clone();
        return result;
    }

    /// <summary>
    /// Loads tensors named as in <see cref="ReferenceStateDict"/>. Every expected name must be present with its exact
    /// shape, and no unknown name may appear; dtypes are converted.
    /// </summary>
    /// <exception cref="ArgumentException">Missing, unexpected or mis-shaped tensors (all listed), or tied copies that differ.</exception>
    public void LoadReferenceStateDict(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var own = state_dict();
        var problems = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!tensors.TryGetValue(name, out var source)) problems.Add($"missing '{name}' {Shape(target)}");
            else if (!source.shape.SequenceEqual(target.shape)) problems.Add($"'{name}' has shape {Shape(source)}, expected {Shape(target)}");
        }
        var expected = new HashSet<string>(own.Keys);
        if (Config.ShareEmb) expected.Add(TiedOutputName);
        foreach (var name in tensors.Keys.Where(n => !expected.Contains(n)))
            problems.Add($"unexpected '{name}'");
        if (Config.ShareEmb && tensors.TryGetValue(TiedOutputName, out var tied) && tensors.TryGetValue(EmbeddingName, out var emb)
            && tied.shape.SequenceEqual(emb.shape) && !tied.to_type(emb.dtype).allclose(emb, 0, 0))
            problems.Add($"share_emb is on but '{TiedOutputName}' differs from '{EmbeddingName}'");
        if (problems.Count > 0)
            throw new ArgumentException("The tensors do not fit this Megalodon config: " + string.Join("; ", problems) + ".");

        using var noGrad = no_grad();
        foreach (var (name, target) in own)
        {
            using var converted = tensors[name].to(target.dtype, target.device);
            target.copy_(converted);
        }
    }

    /// <summary>Gradients under the reference's names (CPU copies); tied embeddings give the total gradient under both names. Parameters without a gradient are left out.</summary>
    public Dictionary<string, Tensor> ReferenceGradients()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in named_parameters())
            if (parameter.grad is { } grad)
                result[name] = grad.detach().cpu().clone();
        if (Config.ShareEmb && result.TryGetValue(EmbeddingName, out var total))
            result[TiedOutputName] = total.clone();
        return result;
    }

    /// <summary>Whether <see cref="Dispose(bool)"/> has run (tests check that a failed Fit releases its network).</summary>
    internal bool IsDisposed { get; private set; }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }

    private const string EmbeddingName = "embed.weight";
    private const string TiedOutputName = "output.output.weight";

    private static string Shape(Tensor t) => "(" + string.Join(",", t.shape) + ")";
}
