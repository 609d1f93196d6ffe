using System.Text.Json;
using System.Text.Json.Serialization;

namespace Megalodon.ML.Model;

/// <summary>
/// The Megalodon architecture, with the reference implementation's field names (<c>ModelConf</c>) so that a
/// <c>config.json</c> written by either side reads on the other.
/// </summary>
/// <remarks>
/// Every default equals the reference's <c>ModelConf</c> default, so a field left out of a config means the same model
/// on both sides. The one exception is <c>vocab_size</c>: the reference leaves it at -1 and fills it from its
/// tokenizer; here a config without it is an error unless the reader is given the tokenizer's size
/// (<see cref="FromJson(string, int?)"/>), as the reference does.
/// </remarks>
public sealed record MegalodonConfig
{
    /// <summary>Number of Megalodon blocks.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 8;
    /// <summary>Residual width D.</summary>
    [JsonPropertyName("model_dim")] public int ModelDim { get; init; } = 1024;
    /// <summary>Shared query/key width Z (all heads).</summary>
    [JsonPropertyName("z_dim")] public int ZDim { get; init; } = 256;
    /// <summary>Value and gate width E (all heads).</summary>
    [JsonPropertyName("value_dim")] public int ValueDim { get; init; } = 2048;
    /// <summary>Attention heads H; each head has Z/H query/key and E/H value dimensions.</summary>
    [JsonPropertyName("num_heads")] public int NumHeads { get; init; } = 1;
    /// <summary>Feed-forward hidden width F.</summary>
    [JsonPropertyName("ffn_hidden_dim")] public int FfnHiddenDim { get; init; } = 2048;
    /// <summary>CEMA order N: complex states per channel.</summary>
    [JsonPropertyName("cema_ndim")] public int CemaNDim { get; init; } = 16;
    /// <summary>Attention chunk length C; no attention crosses a chunk boundary.</summary>
    [JsonPropertyName("chunk_size")] public int ChunkSize { get; init; } = 2048;
    /// <summary>TimestepNorm groups G (must divide D).</summary>
    [JsonPropertyName("norm_num_groups")] public int NormNumGroups { get; init; } = 32;
    /// <summary>Epsilon of every norm.</summary>
    [JsonPropertyName("norm_eps")] public double NormEps { get; init; } = 1e-5;
    /// <summary>Whether the RMSNorm and the FFN LayerNorm have affine parameters.</summary>
    [JsonPropertyName("norm_affine")] public bool NormAffine { get; init; } = true;
    /// <summary>RoPE base; null means 10000, as in the reference.</summary>
    [JsonPropertyName("rope_base")] public double? RopeBase { get; init; }
    /// <summary>Dropout on the embedding and sub-layer outputs.</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    /// <summary>Dropout on attention probabilities.</summary>
    [JsonPropertyName("attention_dropout")] public double AttentionDropout { get; init; }
    /// <summary>Dropout on hidden activations (CEMA output, gated attention, FFN hidden).</summary>
    [JsonPropertyName("hidden_dropout")] public double HiddenDropout { get; init; }
    /// <summary>SwiGLU feed-forward (adds <c>fc3</c>) instead of SiLU.</summary>
    [JsonPropertyName("swiglu")] public bool SwiGlu { get; init; }
    /// <summary>Per-layer learned scale on the FFN output (<c>nffn.alpha</c>).</summary>
    [JsonPropertyName("rescale_nffn")] public bool RescaleNffn { get; init; }
    /// <summary>Multiply embeddings by sqrt(D).</summary>
    [JsonPropertyName("scale_emb")] public bool ScaleEmb { get; init; }
    /// <summary>Tie the output projection to the embedding.</summary>
    [JsonPropertyName("share_emb")] public bool ShareEmb { get; init; }
    /// <summary>Vocabulary size V; -1 (the reference's default) means "set from the tokenizer" and is refused by <see cref="Validate"/>.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = VocabFromTokenizer;
    /// <summary>Output size; -1 means <see cref="VocabSize"/>.</summary>
    [JsonPropertyName("output_size")] public int OutputSize { get; init; } = -1;
    /// <summary>Initialisation of the MEGA/FFN linears: he, bert, xavier, gaussian or none.</summary>
    [JsonPropertyName("init_mode")] public string InitMode { get; init; } = "he";
    /// <summary>
    /// The reference's attention kernel: null (plain path), or "swift"/"fused" (one CUDA kernel with the same math).
    /// All three compute the plain path here; the value is kept so that an exported config says what it said.
    /// </summary>
    [JsonPropertyName("efficient_attn")] public string? EfficientAttn { get; init; }
    /// <summary>Recorded for compatibility with the reference (layer-wise activation checkpointing).</summary>
    [JsonPropertyName("layerwise_ckpt")] public bool LayerwiseCkpt { get; init; }

    /// <summary>The output layer width: <see cref="OutputSize"/>, or <see cref="VocabSize"/> when that is -1.</summary>
    [JsonIgnore] public int EffectiveOutputSize => OutputSize == -1 ? VocabSize : OutputSize;
    /// <summary>Query/key width per head, Z/H.</summary>
    [JsonIgnore] public int HeadZDim => ZDim / NumHeads;
    /// <summary>Value width per head, E/H.</summary>
    [JsonIgnore] public int HeadValueDim => ValueDim / NumHeads;
    /// <summary>The RoPE base actually used.</summary>
    [JsonIgnore] public double EffectiveRopeBase => RopeBase ?? 10000.0;

    /// <summary>The reference's <c>vocab_size</c> default: "defined later by tokenizer".</summary>
    public const int VocabFromTokenizer = -1;

    private static readonly string[] InitModes = ["he", "bert", "xavier", "gaussian", "none"];
    private static readonly string[] EfficientAttnKernels = ["swift", "fused"];

    /// <summary>Checks every field and every cross-field rule; throws one <see cref="ArgumentException"/> listing all problems.</summary>
    /// <returns>This config, for chaining.</returns>
    public MegalodonConfig Validate()
    {
        var problems = new List<string>();
        void Positive(int value, string name) { if (value <= 0) problems.Add($"{name} must be positive (got {value})."); }
        Positive(NumLayers, "num_layers");
        Positive(ModelDim, "model_dim");
        Positive(ZDim, "z_dim");
        Positive(ValueDim, "value_dim");
        Positive(NumHeads, "num_heads");
        Positive(FfnHiddenDim, "ffn_hidden_dim");
        Positive(CemaNDim, "cema_ndim");
        Positive(ChunkSize, "chunk_size");
        Positive(NormNumGroups, "norm_num_groups");
        if (VocabSize == VocabFromTokenizer)
            problems.Add("vocab_size is missing or -1: the reference sets it from its tokenizer; give it in the config, or read the config together with its tokenizer.");
        else Positive(VocabSize, "vocab_size");
        if (NormNumGroups > 0 && ModelDim > 0 && ModelDim % NormNumGroups != 0)
            problems.Add($"model_dim ({ModelDim}) must be divisible by norm_num_groups ({NormNumGroups}).");
        if (NumHeads > 0 && ZDim > 0 && ZDim % NumHeads != 0)
            problems.Add($"z_dim ({ZDim}) must be divisible by num_heads ({NumHeads}).");
        if (NumHeads > 0 && ValueDim > 0 && ValueDim % NumHeads != 0)
            problems.Add($"value_dim ({ValueDim}) must be divisible by num_heads ({NumHeads}).");
        if (NumHeads > 0 && ZDim > 0 && ZDim % NumHeads == 0 && HeadZDim % 2 != 0)
            problems.Add($"z_dim / num_heads ({HeadZDim}) must be even: RoPE rotates pairs of dimensions.");
        if (!(NormEps > 0)) problems.Add($"norm_eps must be positive (got {NormEps}).");
        if (RopeBase is { } rb && !(rb > 1)) problems.Add($"rope_base must be greater than 1 (got {rb}).");
        foreach (var (p, name) in new[] { (Dropout, "dropout"), (AttentionDropout, "attention_dropout"), (HiddenDropout, "hidden_dropout") })
            if (!(p >= 0 && p < 1)) problems.Add($"{name} must be in [0, 1) (got {p}).");
        if (OutputSize != -1 && OutputSize <= 0) problems.Add($"output_size must be -1 (meaning vocab_size) or positive (got {OutputSize}).");
        if (ShareEmb && EffectiveOutputSize != VocabSize) problems.Add("share_emb needs output_size equal to vocab_size.");
        if (!InitModes.Contains(InitMode)) problems.Add($"init_mode must be one of {string.Join(", ", InitModes)} (got '{InitMode}').");
        if (EfficientAttn is not null && !EfficientAttnKernels.Contains(EfficientAttn))
            problems.Add($"efficient_attn must be null, 'swift' or 'fused' (got '{EfficientAttn}').");
        if (problems.Count > 0)
            throw new ArgumentException("Invalid Megalodon config: " + string.Join(" ", problems));
        return this;
    }

    /// <summary>
    /// The reference's sequence-length rule for a full forward: L &lt; C, or L a multiple of C.
    /// </summary>
    /// <exception cref="ArgumentException">The length breaks the rule.</exception>
    public void CheckSequenceLength(int length)
    {
        if (length <= 0)
            throw new ArgumentException($"Sequence length must be positive (got {length}).");
        if (length >= ChunkSize && length % ChunkSize != 0)
            throw new ArgumentException($"Sequence length {length} must be below chunk_size ({ChunkSize}) or a multiple of it.");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises to the reference's <c>config.json</c> layout.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// Parses a <c>config.json</c> and validates it. Both layouts are read: the flat <c>ModelConf</c> fields, and the
    /// reference trainer's nested file (<c>{"model": {...}, "tokenizer": {...}, ...}</c>), whose <c>model</c> object is
    /// taken. Unknown fields (<c>seed</c>, <c>batch</c>, ...) are ignored; missing ones take the reference's defaults.
    /// </summary>
    /// <exception cref="FormatException">The text is not a JSON object of the expected field types.</exception>
    /// <exception cref="ArgumentException">A field is invalid, or <c>vocab_size</c> is missing.</exception>
    public static MegalodonConfig FromJson(string json) => FromJson(json, null);

    /// <summary>
    /// As <see cref="FromJson(string)"/>; a missing or -1 <c>vocab_size</c> takes <paramref name="tokenizerVocabSize"/>
    /// when given, as the reference's loader does with its tokenizer's word count.
    /// </summary>
    /// <param name="json">The config text (flat or nested).</param>
    /// <param name="tokenizerVocabSize">The tokenizer's vocabulary size, or null when there is no tokenizer.</param>
    public static MegalodonConfig FromJson(string json, int? tokenizerVocabSize)
    {
        ArgumentNullException.ThrowIfNull(json);
        MegalodonConfig? config;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("config.json must hold a JSON object.");
            var modelElement = IsNested(root) ? root.GetProperty(NestedModelKey) : root;
            config = modelElement.Deserialize<MegalodonConfig>(JsonOptions);
        }
        catch (JsonException ex) { throw new FormatException($"config.json is not a valid Megalodon config: {ex.Message}", ex); }
        config = config ?? throw new FormatException("config.json is empty.");
        if (config.VocabSize == VocabFromTokenizer && tokenizerVocabSize is { } fromTokenizer)
            config = config with { VocabSize = fromTokenizer };
        return config.Validate();
    }

    /// <summary>The key of the model section in the reference trainer's nested <c>config.json</c>.</summary>
    public const string NestedModelKey = "model";

    /// <summary>Whether a parsed <c>config.json</c> is the reference trainer's nested layout (an object under <c>model</c>).</summary>
    public static bool IsNested(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(NestedModelKey, out var model) && model.ValueKind == JsonValueKind.Object;

    /// <summary>Reads and validates a <c>config.json</c> file (flat or nested, see <see cref="FromJson(string)"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static MegalodonConfig Load(string path) => Load(path, null);

    /// <summary>As <see cref="Load(string)"/>, filling a missing <c>vocab_size</c> from the tokenizer's size when given.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static MegalodonConfig Load(string path, int? tokenizerVocabSize)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Megalodon config '{path}' not found.", path);
        try { return FromJson(File.ReadAllText(path), tokenizerVocabSize); }
        catch (FormatException ex) { throw new FormatException($"{path}: {ex.Message}", ex); }
        catch (ArgumentException ex) { throw new ArgumentException($"{path}: {ex.Message}", ex); }
    }

    /// <summary>Writes this config as <c>config.json</c> at <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());
}
