using Megalodon.ML.Model;

namespace Megalodon.ML.Encoder;

/// <summary>Shapes of one direction of a <see cref="BidirectionalEncoder"/> over <see cref="EncoderVocabulary"/>.</summary>
public static class EncoderPresets
{
    /// <summary>Tests and quick runs: the tiny Megalodon (2 layers, D = 64) with 128-token attention chunks.</summary>
    public static MegalodonConfig Tiny() => MegalodonPresets.Tiny(EncoderVocabulary.Size) with { ChunkSize = 128 };

    /// <summary>The NuNER experiment's encoder on one CPU thread: 2 layers, D = 96, 128-token chunks (about 0.57M parameters for both directions).</summary>
    public static MegalodonConfig Small() => MegalodonPresets.Tiny(EncoderVocabulary.Size) with
    {
        ModelDim = 96, ZDim = 48, ValueDim = 192, FfnHiddenDim = 192, NormNumGroups = 8, ChunkSize = 128,
    };

    /// <summary>
    /// A GPU-sized encoder: the bench Megalodon shape (4 layers, D = 256, Z = 64, E = 512, FFN 512, 2 heads) with 256-token
    /// chunks, 7,238,144 parameters for both directions.
    /// </summary>
    public static MegalodonConfig Base() => MegalodonPresets.Bench(EncoderVocabulary.Size) with { ChunkSize = 256 };
}
