using Megalodon.ML.Model;
using Megalodon.ML.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// A bidirectional token encoder on the Megalodon architecture: a forward <see cref="MegalodonModel"/> reads each
/// sequence left to right, a second one reads it right to left, and every token's feature is the concatenation of
/// both final hidden states (width 2D). Each token thus sees the whole sentence.
/// </summary>
/// <remarks>
/// <para>Why two causal stacks rather than a non-causal block: the causal blocks (CEMA, TimestepNorm, chunked attention)
/// are parity-tested against the reference and are reused unchanged; the backward stack is the same code on the
/// reversed sequence.</para>
/// <para>Padding is on the right. Each row is reversed within its own length only, so in both directions the real
/// tokens come first and, the stacks being causal, no real token's feature ever depends on padding.</para>
/// </remarks>
public sealed class BidirectionalEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly MegalodonModel fwd;
    private readonly MegalodonModel bwd;

    /// <summary>Builds both stacks from one config (initialised from TorchSharp's global generator, on the CPU, then moved to <paramref name="device"/>).</summary>
    /// <param name="config">The shape of each direction; its vocabulary must hold <see cref="EncoderVocabulary.Size"/> ids.</param>
    /// <param name="device">Where to place the weights; null for the CPU. Inputs must be on the same device.</param>
    public BidirectionalEncoder(MegalodonConfig config, Device? device = null) : base(nameof(BidirectionalEncoder))
    {
        TorchNativeLoader.EnsureReady();
        ArgumentNullException.ThrowIfNull(config);
        if (config.VocabSize < EncoderVocabulary.Size)
            throw new ArgumentException($"The encoder needs a vocabulary of at least {EncoderVocabulary.Size} ids (bytes, padding, mask); the config has {config.VocabSize}.", nameof(config));
        // Tied embeddings: the stacks' own output layers are never used, so they should add no parameters.
        Config = config.Validate() with { ShareEmb = true, OutputSize = -1 };
        fwd = new MegalodonModel(Config, device);
        bwd = new MegalodonModel(Config, device);
        register_module("fwd", fwd);
        register_module("bwd", bwd);
    }

    /// <summary>The shape of each direction.</summary>
    public MegalodonConfig Config { get; }

    /// <summary>Width of a token feature: both directions' hidden states, 2D.</summary>
    public int FeatureDim => 2 * Config.ModelDim;

    /// <summary>The device of the parameters.</summary>
    public Device Device => fwd.Device;

    /// <summary>
    /// Mixed precision of both stacks (<see cref="PrecisionPolicy.MatmulType"/>): null (the default) computes in the
    /// weights' dtype; <see cref="ScalarType.BFloat16"/> runs every projection matmul in bf16 on the fp32 master weights,
    /// while CEMA, the norms and the attention softmax stay in fp32. The features are fp32 either way. Not saved with the
    /// weights; <see cref="Clone"/> and the modules built from this encoder keep it.
    /// </summary>
    public ScalarType? MatmulType
    {
        get => fwd.Precision.MatmulType;
        set
        {
            fwd.Precision.MatmulType = value;
            bwd.Precision.MatmulType = value;
        }
    }

    /// <summary>
    /// Token features (B,L,2D) for right-padded ids (B,L) int64 and the real lengths (B) int64. Features at padded
    /// positions are not meaningful; mask them.
    /// </summary>
    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        if (tokens.dim() != 2) throw new ArgumentException($"Tokens must be (batch, length); got {tokens.dim()} dimensions.", nameof(tokens));
        if (lengths.dim() != 1 || lengths.shape[0] != tokens.shape[0])
            throw new ArgumentException("Lengths must be a vector with one entry per row of tokens.", nameof(lengths));
        using var scope = NewDisposeScope();
        long length = tokens.shape[1];
        long padded = PaddedLength(length, Config.ChunkSize);
        var ids = padded == length ? tokens : nn.functional.pad(tokens, [0, padded - length], value: EncoderVocabulary.PadId);
        var reverse = ReversalIndex(lengths, padded);
        var forwardHidden = fwd.ForwardHidden(ids);
        var backwardHidden = bwd.ForwardHidden(ids.gather(1, reverse));
        // The same index undoes the reversal (it is its own inverse).
        var backwardAligned = backwardHidden.gather(1, reverse.unsqueeze(-1).expand(-1, -1, backwardHidden.shape[2]));
        var features = cat([forwardHidden, backwardAligned], 2);
        if (padded != length) features = features.narrow(1, 0, length);
        return features.MoveToOuterDisposeScope();
    }

    /// <summary>The length a full forward accepts: below the chunk size, or the next multiple of it.</summary>
    internal static long PaddedLength(long length, int chunkSize) =>
        length < chunkSize ? length : (length + chunkSize - 1) / chunkSize * chunkSize;

    /// <summary>Index (B,L) that reverses the first lengths[b] positions of each row and leaves the padding in place.</summary>
    private static Tensor ReversalIndex(Tensor lengths, long length)
    {
        var positions = arange(length, dtype: ScalarType.Int64, device: lengths.device).unsqueeze(0);
        var n = lengths.to(ScalarType.Int64).unsqueeze(1);
        return where(positions < n, n - 1 - positions, positions);
    }

    /// <summary>The encoder's parameters and buffers by name, as detached CPU copies (the caller disposes them).</summary>
    public Dictionary<string, Tensor> StateTensors() => ModuleState.Snapshot(this);

    /// <summary>Copies tensors named as in <see cref="StateTensors"/> into this encoder; every name must be present with its shape.</summary>
    /// <exception cref="ArgumentException">Missing, unexpected or mis-shaped tensors (all listed).</exception>
    public void LoadStateTensors(IReadOnlyDictionary<string, Tensor> tensors) => ModuleState.Load(this, tensors, "encoder");

    /// <summary>A new encoder of the same shape, on the same device and with the same <see cref="MatmulType"/>, with a copy of these weights.</summary>
    public BidirectionalEncoder Clone()
    {
        var copy = new BidirectionalEncoder(Config, Device) { MatmulType = MatmulType };
        ModuleState.CopyInto(this, copy, "encoder");
        return copy;
    }
}
