using Megalodon.ML.Data;
using Megalodon.ML.Model;
using Megalodon.ML.Training;

namespace Megalodon.Cli;

/// <summary>
/// Every default of the main job, <c>megalodon pretrain</c> without <c>--data</c>: pretraining on the embedded
/// deterministic <see cref="SyntheticCorpus"/> and checking long-range recall afterwards. Tune the job here, in one place;
/// command-line options still override each value.
/// </summary>
internal static class MainJobDefaults
{
    /// <summary>
    /// The training corpus: one-digit keys (10 of them, chance ln 10 = 2.30 nats; digits never occur in the filler)
    /// recalled 10–40 characters after their previous mention, always beyond the 8-token attention chunk. Enough
    /// documents that none repeats during training, so a key cannot be memorised with its document: it has to be
    /// carried. (Measured: with 256 repeating documents, or syllable keys, or gaps up to 80, the tiny model stayed at
    /// chance within this budget.)
    /// </summary>
    public static SyntheticCorpusOptions Corpus { get; } = SyntheticCorpusOptions.Default with
    {
        KeySyllables = 1,
        KeyStyle = SyntheticKeyStyle.Digits,
        MinRecallDistance = 10,
        MaxRecallDistance = 40,
        DocumentCount = 6000,
    };

    /// <summary>The held-out corpus of the recall probe: the same shape, another seed, so no document was trained on.</summary>
    public static SyntheticCorpusOptions ProbeCorpus { get; } = Corpus with { Seed = 1001, DocumentCount = 32 };

    /// <summary>Most recall spans the probe measures (one forward window each).</summary>
    public const int ProbeMaxSpans = 256;

    /// <summary>
    /// The model: the tiny preset over the byte-level vocabulary (256 bytes + end-of-text) with 8-token attention
    /// chunks, so every recall (at least 10 tokens back) has to cross a chunk boundary through the moving-average state.
    /// </summary>
    public static MegalodonConfig Config { get; } = MegalodonPresets.Tiny(257) with { ChunkSize = 8 };

    /// <summary>Tokens per training window (a multiple of the chunk size).</summary>
    public const int SequenceLength = 512;

    /// <summary>Windows per optimizer step.</summary>
    public const int BatchSize = 8;

    /// <summary>Optimizer steps.</summary>
    public const long Steps = 2600;

    /// <summary>Peak learning rate (a tiny model tolerates more than the reference's 1e-3).</summary>
    public const double LearningRate = 1e-2;

    /// <summary>Linear warm-up steps.</summary>
    public const int WarmupSteps = 150;

    /// <summary>Decay after warm-up.</summary>
    public const ReferenceDecay Decay = ReferenceDecay.Cosine;

    /// <summary>Share of the documents held out for the validation loss.</summary>
    public const double ValidationFraction = 0.05;

    /// <summary>Validate every this many steps (and at the end).</summary>
    public const int EvalInterval = 250;

    /// <summary>Seed of initialisation and data order.</summary>
    public const int Seed = 1;

    /// <summary>
    /// The sample prompt: a key and a recall cue about 30 characters later (within the trained 10-40, beyond the
    /// 8-token attention chunk), so the sample shows whether the model repeats the key.
    /// </summary>
    public const string SamplePrompt = "The password is 7. As we said, the password is";

    /// <summary>Tokens (bytes) generated for the sample.</summary>
    public const int SampleTokens = 160;
}
