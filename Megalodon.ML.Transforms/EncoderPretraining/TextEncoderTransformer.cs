using Megalodon.ML.Checkpoints;
using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Transforms.Data;
using Megalodon.ML.Transforms.EncoderPretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(TextEncoderTransformer), null, typeof(SignatureLoadModel), TextEncoderTransformer.UserName, TextEncoderTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(TextEncoderTransformer), null, typeof(SignatureLoadRowMapper), TextEncoderTransformer.UserName, TextEncoderTransformer.LoaderSignature)]

namespace Megalodon.ML.Transforms.EncoderPretraining;

/// <summary>
/// A pretrained bidirectional text encoder, as the encoder pretraining estimators return it. As a transformer it adds a
/// sentence embedding (the mean of the text's token features) to every row; for NER it is the starting point of the
/// NuNER tagger: pass <see cref="Encoder"/> as <c>NuNerTrainer.Options.Encoder</c>, or <see cref="SaveEncoder"/> a file for
/// <c>encoderPath</c>. Concept pretraining also keeps the concept encoder (<see cref="ConceptEncoder"/>) for zero-shot tagging.
/// It round-trips through <c>mlContext.Model.Save</c>/<c>Load</c> with both encoders.
/// </summary>
public sealed class TextEncoderTransformer : MegalodonTransformerBase, ITransformer, IDisposable
{
    internal const string LoaderSignature = "MegalodonTextEncoder";
    internal const string UserName = "Megalodon Bidirectional Text Encoder";
    private const string TextSection = "TextEncoder.safetensors";
    private const string ConceptSection = "ConceptEncoder.safetensors";
    private const uint VersionWithPlainWeights = 0x00010002;
    private const uint VersionWithTextInput = 0x00010003;
    private static readonly VersionInfo Version = CreateVersionInfo("MEGTXENC", LoaderSignature, typeof(TextEncoderTransformer),
        version: VersionWithTextInput, oldestReadableBy: VersionWithTextInput, oldestWeCanRead: 0x00010001);

    internal TextEncoderTransformer(IHostEnvironment environment, BidirectionalEncoder encoder, ConceptEncoder? conceptEncoder,
        string inputColumnName, string featuresColumnName, TextInputPolicy textInput)
        : base(environment, nameof(TextEncoderTransformer))
    {
        Host.CheckValue(encoder, nameof(encoder));
        Host.CheckNonWhiteSpace(inputColumnName, nameof(inputColumnName));
        Host.CheckNonWhiteSpace(featuresColumnName, nameof(featuresColumnName));
        Host.CheckValue(textInput, nameof(textInput));
        textInput.Validate();
        Encoder = encoder;
        Encoder.eval();
        ConceptEncoder = conceptEncoder;
        InputColumnName = inputColumnName;
        FeaturesColumnName = featuresColumnName;
        TextInput = textInput;
    }

    /// <summary>The text encoder (NuNER fine-tuning copies it; it is not changed).</summary>
    public BidirectionalEncoder Encoder { get; }
    /// <summary>The concept encoder of concept-contrastive pretraining; null after MLM pretraining.</summary>
    public ConceptEncoder? ConceptEncoder { get; }
    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }
    /// <summary>The embedding column written (a vector of <see cref="BidirectionalEncoder.FeatureDim"/> floats).</summary>
    public string FeaturesColumnName { get; }
    /// <summary>Tokens (UTF-8 bytes) read per row at most (<see cref="TextInput"/>'s cap).</summary>
    public int MaxTokens => TextInput.MaxTokens ?? int.MaxValue;
    /// <summary>How rows are read: an empty text is an error naming the data row or gets a NaN embedding; the token cap and which end of a longer text is kept.</summary>
    public TextInputPolicy TextInput { get; }
    /// <summary>What pretraining did; null for a model loaded from disk.</summary>
    public EncoderTrainingResult? TrainingResult { get; internal init; }

    /// <summary>Writes the text encoder to a safetensors file that <c>NuNer(encoderPath: ...)</c> and <c>megalodon ner train --encoder</c> read.</summary>
    /// <param name="path">The file.</param>
    public void SaveEncoder(string path) => EncoderFiles.SaveEncoder(path, Encoder);

    /// <summary>Writes the concept encoder (for zero-shot tagging).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidOperationException">This encoder was not concept-pretrained.</exception>
    public void SaveConceptEncoder(string path) =>
        EncoderFiles.SaveConceptEncoder(path, ConceptEncoder ?? throw new InvalidOperationException("This encoder has no concept encoder: only concept pretraining makes one."));

    /// <summary>Adds the embedding column, computed lazily in batches of rows (empty rows and long texts as <see cref="TextInput"/> says).</summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        TextColumn.CheckSchema(Host, input.Schema, InputColumnName);
        return new BatchedColumnMapper<ReadOnlyMemory<char>, float[]>(InputColumnName, OutputColumns(),
            (texts, rows) => Embed(texts.Select(t => t.ToString()).ToList(), rows), 32).Apply(input);
    }

    /// <summary>Embeddings of texts that are rows <paramref name="rows"/> of the data (errors name those rows); empty ones get NaN vectors under the Missing policy.</summary>
    private float[][] Embed(IReadOnlyList<string> texts, IReadOnlyList<long> rows)
    {
        var ids = texts.Select((t, i) => TextInput.EncoderTokens(t, rows[i], InputColumnName, "embedded")).ToList();
        var present = Enumerable.Range(0, ids.Count).Where(i => ids[i] is not null).ToList();
        var embedded = EncoderEmbeddings.Mean(Encoder, present.Select(i => ids[i]!).ToList());
        var result = texts.Select(_ => Enumerable.Repeat(float.NaN, Encoder.FeatureDim).ToArray()).ToArray();
        for (int p = 0; p < present.Count; p++) result[present[p]] = embedded[p];
        return result;
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    private IReadOnlyList<BatchedOutputColumn<float[]>> OutputColumns() =>
    [
        BatchedOutputColumn<float[]>.Create(FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, Encoder.FeatureDim),
            (float[] v, ref VBuffer<float> destination) =>
            {
                var editor = VBufferEditor.Create(ref destination, v.Length);
                v.CopyTo(editor.Values);
                destination = editor.Commit();
            }),
    ];

    /// <summary>Releases the encoders' tensors.</summary>
    public void Dispose()
    {
        Encoder.Dispose();
        ConceptEncoder?.Dispose();
    }

    private protected override VersionInfo ModelVersion => Version;

    // *** Binary format, version 0x00010003 ***
    //   string: encoder config JSON (one direction); string ×2: input and features column names
    //   int ×3: the text input policy (empty text: 0 throw, 1 missing; max tokens; truncation: 0 keep start, 1 keep end)
    //   byte: 1 when a concept encoder follows
    //   sections TextEncoder.safetensors (+ .sha256): the text encoder's tensors, a plain safetensors file (streamed)
    //   when a concept encoder is present, sections ConceptEncoder.safetensors (+ .sha256) likewise
    // Version 0x00010002 held a single int, the max tokens, where the policy is (read as that cap, empty text an error).
    // Version 0x00010001 held each SHA-256 in the main stream and a 4-byte length before each section's weights.
    private protected override void SaveContents(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(Encoder.Config.ToJson());
        ctx.SaveNonEmptyString(InputColumnName);
        ctx.SaveNonEmptyString(FeaturesColumnName);
        TextInput.Write(ctx.Writer);
        ctx.Writer.Write((byte)(ConceptEncoder is null ? 0 : 1));
        SaveWeights(ctx, TextSection, Encoder.StateTensors());
        if (ConceptEncoder is not null) SaveWeights(ctx, ConceptSection, ConceptEncoder.StateTensors());
    }

    private static void SaveWeights(ModelSaveContext ctx, string section, Dictionary<string, TorchSharp.torch.Tensor> tensors)
    {
        try { SaveTensorsSection(ctx, section, tensors); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    // Reads a section into a module through its LoadStateTensors; the tensors read are disposed afterwards.
    private static void LoadWeights(ModelLoadContext ctx, string section, Action<Dictionary<string, TorchSharp.torch.Tensor>> load)
    {
        Func<SafeTensorsReader, bool> read = reader =>
        {
            var tensors = reader.ReadAll();
            try { load(tensors); }
            finally { foreach (var t in tensors.Values) t.Dispose(); }
            return true;
        };
        if (ctx.Header.ModelVerWritten >= VersionWithPlainWeights) LoadTensorsSection(ctx, section, read);
        else LoadTensorsSection(ctx, section, ctx.Reader.ReadBytes(32), legacyLengthPrefix: true, read);
    }

    // Factory for SignatureLoadModel.
    private static TextEncoderTransformer Create(IHostEnvironment environment, ModelLoadContext ctx)
    {
        Contracts.CheckValue(environment, nameof(environment));
        environment.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(Version);
        var config = MegalodonConfig.FromJson(ctx.LoadNonEmptyString());
        string input = ctx.LoadNonEmptyString(), features = ctx.LoadNonEmptyString();
        var textInput = ctx.Header.ModelVerWritten >= VersionWithTextInput
            ? TextInputPolicy.Read(ctx.Reader)
            : new TextInputPolicy { MaxTokens = ctx.Reader.ReadInt32() };
        bool hasConcept = ctx.Reader.ReadByte() == 1;
        var encoder = new BidirectionalEncoder(config);
        ConceptEncoder? concept = null;
        try
        {
            LoadWeights(ctx, TextSection, encoder.LoadStateTensors);
            if (hasConcept)
            {
                concept = new ConceptEncoder(config);
                LoadWeights(ctx, ConceptSection, concept.LoadStateTensors);
                concept.eval();
            }
        }
        catch
        {
            encoder.Dispose();
            concept?.Dispose();
            throw;
        }
        return new TextEncoderTransformer(environment, encoder, concept, input, features, textInput);
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the one-row-at-a-time mapper (PredictionEngine and row-to-row use).</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) =>
        new TextResultMapper<float[]>(this, schema, InputColumnName, OutputColumns(), (text, row) => Embed([text], [row])[0]);
}
