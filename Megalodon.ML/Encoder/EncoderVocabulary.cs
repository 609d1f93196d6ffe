using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Encoder;

/// <summary>
/// The ids of the bidirectional encoder: the 256 UTF-8 bytes of <see cref="ByteLevelTokenizer"/>, its end-of-text id
/// (used here as padding) and one extra mask id for masked-language-model pretraining.
/// </summary>
public static class EncoderVocabulary
{
    /// <summary>The padding id (the byte tokenizer's end-of-text id: text never encodes to it).</summary>
    public const int PadId = ByteLevelTokenizer.EndOfTextId;

    /// <summary>The mask id, one past the byte tokenizer's vocabulary.</summary>
    public const int MaskId = ByteLevelTokenizer.VocabularySize;

    /// <summary>The embedding width of the encoder's vocabulary: bytes, padding and mask.</summary>
    public const int Size = MaskId + 1;
}
