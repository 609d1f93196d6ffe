using System.Text.Json.Serialization;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tokenization;

/// <summary>
/// Everything needed to rebuild a <see cref="BpeTokenizer"/>: its vocabulary, merges and settings.
/// The default pre-tokenizer is implied and no normalizer is used; custom ones cannot be stored.
/// </summary>
public sealed class BpeTokenizerData
{
    /// <summary>Token string to id.</summary>
    [JsonPropertyName("vocab")] public required Dictionary<string, int> Vocabulary { get; init; }

    /// <summary>Merge rules in priority order, each <c>"left right"</c> as in a <c>merges.txt</c> file.</summary>
    [JsonPropertyName("merges")] public required List<string> Merges { get; init; }

    /// <summary>Special tokens (string to id) matched before BPE, or null.</summary>
    [JsonPropertyName("special_tokens")] public Dictionary<string, int>? SpecialTokens { get; init; }

    /// <summary>The token used for unknown input, or null.</summary>
    [JsonPropertyName("unknown_token")] public string? UnknownToken { get; init; }

    /// <summary>Prefix of subwords that continue a word, or null.</summary>
    [JsonPropertyName("continuing_subword_prefix")] public string? ContinuingSubwordPrefix { get; init; }

    /// <summary>Suffix of subwords that end a word, or null.</summary>
    [JsonPropertyName("end_of_word_suffix")] public string? EndOfWordSuffix { get; init; }

    /// <summary>Whether consecutive unknown tokens fuse into one.</summary>
    [JsonPropertyName("fuse_unknown_tokens")] public bool FuseUnknownTokens { get; init; }

    /// <summary>Whether the vocabulary is byte-level (GPT-2 style).</summary>
    [JsonPropertyName("byte_level")] public bool ByteLevel { get; init; }

    /// <summary>Token added at the start of every encoding, or null.</summary>
    [JsonPropertyName("bos_token")] public string? BeginningOfSentenceToken { get; init; }

    /// <summary>Token added at the end of every encoding, or null.</summary>
    [JsonPropertyName("eos_token")] public string? EndOfSentenceToken { get; init; }

    /// <summary>Copies the data out of <paramref name="options"/> (its vocabulary and merges are enumerated once).</summary>
    /// <param name="options">Options as given to <see cref="BpeTokenizer.Create(BpeOptions)"/>.</param>
    public static BpeTokenizerData FromOptions(BpeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new BpeTokenizerData
        {
            Vocabulary = options.Vocabulary.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Merges = options.Merges?.ToList() ?? [],
            SpecialTokens = options.SpecialTokens?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            UnknownToken = options.UnknownToken,
            ContinuingSubwordPrefix = options.ContinuingSubwordPrefix,
            EndOfWordSuffix = options.EndOfWordSuffix,
            FuseUnknownTokens = options.FuseUnknownTokens,
            ByteLevel = options.ByteLevel,
            BeginningOfSentenceToken = options.BeginningOfSentenceToken,
            EndOfSentenceToken = options.EndOfSentenceToken,
        };
    }

    /// <summary>Options that build the tokenizer this data describes.</summary>
    public BpeOptions ToOptions() => new(Vocabulary)
    {
        Merges = Merges,
        SpecialTokens = SpecialTokens,
        UnknownToken = UnknownToken,
        ContinuingSubwordPrefix = ContinuingSubwordPrefix,
        EndOfWordSuffix = EndOfWordSuffix,
        FuseUnknownTokens = FuseUnknownTokens,
        ByteLevel = ByteLevel,
        BeginningOfSentenceToken = BeginningOfSentenceToken,
        EndOfSentenceToken = EndOfSentenceToken,
    };

    /// <summary>One more than the largest id in the vocabulary and special tokens.</summary>
    public int NaturalVocabularySize()
    {
        int max = Vocabulary.Count == 0 ? -1 : Vocabulary.Values.Max();
        if (SpecialTokens is { Count: > 0 })
            max = Math.Max(max, SpecialTokens.Values.Max());
        return max + 1;
    }
}
