using System.Text.Json.Serialization;

namespace Megalodon.ML.Tokenization;

/// <summary>The tokenizer families a model can store and rebuild (see <see cref="TokenizerSpec"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenizerKind>))]
public enum TokenizerKind
{
    /// <summary><see cref="ByteLevelTokenizer"/>: UTF-8 bytes plus an end-of-text id; needs no data.</summary>
    [JsonStringEnumMemberName("byte_level")] ByteLevel,

    /// <summary>A <see cref="Microsoft.ML.Tokenizers.TiktokenTokenizer"/> named by model (e.g. <c>gpt2</c>); its data comes from a referenced data package.</summary>
    [JsonStringEnumMemberName("tiktoken")] Tiktoken,

    /// <summary>A <see cref="Microsoft.ML.Tokenizers.BpeTokenizer"/> rebuilt from a stored vocabulary and merge list.</summary>
    [JsonStringEnumMemberName("bpe")] Bpe,

    /// <summary>
    /// A <see cref="Microsoft.ML.Tokenizers.SentencePieceTokenizer"/> rebuilt from the stored <c>tokenizer.model</c>
    /// bytes (Llama-2's tokenizer and the reference's, for instance).
    /// </summary>
    [JsonStringEnumMemberName("sentencepiece")] SentencePiece,
}
