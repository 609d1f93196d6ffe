using Megalodon.ML.Checkpoints;
using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Ner;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Data;
using Megalodon.ML.Transforms.NuNer;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(NuNerTransformer), null, typeof(SignatureLoadModel), NuNerTransformer.UserName, NuNerTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(NuNerTransformer), null, typeof(SignatureLoadRowMapper), NuNerTransformer.UserName, NuNerTransformer.LoaderSignature)]

namespace Megalodon.ML.Transforms.NuNer;

/// <summary>
/// A fitted NER tagger. Per row of the sentence column it adds the predicted label of every word (a vector of keys of
/// the training label's key type, with its key values) and the entity spans (<c>type:start-end</c> over word indices,
/// end exclusive), computed lazily in batches of rows. It round-trips through <c>mlContext.Model.Save</c>/<c>Load</c>
/// with its weights, encoder shape and label names inside the .zip, and works in a <c>PredictionEngine</c>.
/// </summary>
public sealed class NuNerTransformer : MegalodonTransformerBase, ITransformer, IDisposable
{
    internal const string LoaderSignature = "MegalodonNuNer";
    internal const string UserName = "Megalodon NuNER Tagger";
    private const string WeightsSection = "Weights.safetensors";
    // 0x00010002 makes the weights entry a plain safetensors file with its SHA-256 in a sibling entry; 0x00010001 still loads.
    private const uint VersionWithPlainWeights = 0x00010002;
    private static readonly VersionInfo Version = CreateVersionInfo("MEGNUNER", LoaderSignature, typeof(NuNerTransformer),
        version: VersionWithPlainWeights, oldestReadableBy: VersionWithPlainWeights, oldestWeCanRead: 0x00010001);

    private readonly TokenClassifier _classifier;
    private readonly string[] _labelNames;
    private readonly KeyDataViewType _keyType;

    internal NuNerTransformer(IHostEnvironment environment, TokenClassifier classifier, string[] labelNames, KeyDataViewType keyType, NuNerTrainer.Options options)
        : base(environment, nameof(NuNerTransformer))
    {
        Host.CheckValue(classifier, nameof(classifier));
        if (classifier.ClassCount != labelNames.Length)
            throw new ArgumentException($"The classifier has {classifier.ClassCount} classes but there are {labelNames.Length} label names.");
        _classifier = classifier;
        _classifier.eval();
        _labelNames = labelNames;
        _keyType = keyType;
        SentenceColumnName = options.Sentence1ColumnName;
        PredictedLabelColumnName = options.OutputColumnName;
        EntitiesColumnName = options.EntitiesColumnName;
        MaxTokens = options.MaxTokens;
        BatchSize = options.InferenceBatchSize;
    }

    /// <summary>The sentence column read.</summary>
    public string SentenceColumnName { get; }
    /// <summary>The predicted-label column written.</summary>
    public string PredictedLabelColumnName { get; }
    /// <summary>The entity-span column written.</summary>
    public string EntitiesColumnName { get; }
    /// <summary>Longest window in tokens; longer sentences are read in overlapping windows of at most this many tokens.</summary>
    public int MaxTokens { get; }
    /// <summary>Sentences per forward pass.</summary>
    public int BatchSize { get; }
    /// <summary>
    /// The type of the predicted-label items: keys over <see cref="LabelNames"/> (its <c>Count</c> is the label count). A
    /// <c>PredictionEngine</c> output class reads the column as <c>uint[]</c>, or as <c>string[]</c> after
    /// <c>mlContext.Transforms.Conversion.MapKeyToValue</c>, as with ML.NET's own NER trainer.
    /// </summary>
    public KeyDataViewType OutputKeyType => _keyType;
    /// <summary>The label names, in key order (key k is <c>LabelNames[k - 1]</c>).</summary>
    public IReadOnlyList<string> LabelNames => _labelNames;
    /// <summary>The tagger's network.</summary>
    public TokenClassifier Classifier => _classifier;
    /// <summary>What fine-tuning did; null for a model loaded from disk.</summary>
    public EncoderTrainingResult? TrainingResult { get; internal init; }

    /// <summary>Tags <paramref name="input"/> lazily, running the model on batches of <see cref="BatchSize"/> rows.</summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        TextColumn.CheckSchema(Host, input.Schema, SentenceColumnName);
        return new BatchedColumnMapper<ReadOnlyMemory<char>, NuNerPrediction>(SentenceColumnName, OutputColumns(),
            sentences => Predict(sentences.Select(s => SplitWords(s)).ToList()), BatchSize).Apply(input);
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>Tags sentences given as words (batched), in input order. A sentence without words gets empty outputs.</summary>
    /// <param name="sentences">Each sentence's words (non-empty, without whitespace).</param>
    /// <exception cref="ArgumentException">A word is empty or holds whitespace.</exception>
    public IReadOnlyList<NuNerPrediction> Predict(IReadOnlyList<IReadOnlyList<string>> sentences)
    {
        Host.CheckValue(sentences, nameof(sentences));
        // Sentences over MaxTokens are read in overlapping windows, so every word gets a real prediction.
        return TaggerLabels.Predict(_classifier, sentences, _labelNames, MaxTokens, BatchSize).Select(ToPrediction).ToList();
    }

    /// <summary>Words of a sentence: split on whitespace, empty pieces dropped.</summary>
    internal static string[] SplitWords(ReadOnlyMemory<char> sentence) =>
        sentence.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private NuNerPrediction ToPrediction(string[] labels)
    {
        var keys = labels.Select(l => (uint)(Array.IndexOf(_labelNames, l) + 1)).ToArray();
        var entities = BioTags.Decode(labels).Select(e => $"{e.Type}:{e.Start}-{e.End}").ToArray();
        return new NuNerPrediction(keys, labels, entities);
    }

    private DataViewSchema.Annotations KeyValueAnnotations()
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var names = new VBuffer<ReadOnlyMemory<char>>(_labelNames.Length, _labelNames.Select(n => n.AsMemory()).ToArray());
        builder.AddKeyValues(_labelNames.Length, TextDataViewType.Instance, (ref VBuffer<ReadOnlyMemory<char>> v) => names.CopyTo(ref v));
        return builder.ToAnnotations();
    }

    private IReadOnlyList<BatchedOutputColumn<NuNerPrediction>> OutputColumns() =>
    [
        BatchedOutputColumn<NuNerPrediction>.Create(PredictedLabelColumnName, new VectorDataViewType(_keyType),
            (NuNerPrediction p, ref VBuffer<uint> v) => WriteVector(p.Keys, ref v), KeyValueAnnotations()),
        BatchedOutputColumn<NuNerPrediction>.Create(EntitiesColumnName, new VectorDataViewType(TextDataViewType.Instance),
            (NuNerPrediction p, ref VBuffer<ReadOnlyMemory<char>> v) => WriteVector(p.Entities.Select(e => e.AsMemory()).ToArray(), ref v)),
    ];

    private static void WriteVector<T>(T[] values, ref VBuffer<T> destination)
    {
        var editor = VBufferEditor.Create(ref destination, values.Length);
        values.CopyTo(editor.Values);
        destination = editor.Commit();
    }

    /// <summary>Releases the model's tensors.</summary>
    public void Dispose() => _classifier.Dispose();

    private protected override VersionInfo ModelVersion => Version;

    // *** Binary format, version 0x00010002 ***
    //   string: encoder config JSON (one direction)
    //   string ×3: sentence, predicted-label, entities column names
    //   int: max tokens; int: batch size
    //   int: key count; then that many label names (strings)
    //   section Weights.safetensors: the classifier's tensors, a plain safetensors file (streamed)
    //   section Weights.safetensors.sha256: its SHA-256 (32 bytes)
    // Version 0x00010001 held the SHA-256 in the main stream after the label names and a 4-byte length before the weights.
    private protected override void SaveContents(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(_classifier.Encoder.Config.ToJson());
        ctx.SaveNonEmptyString(SentenceColumnName);
        ctx.SaveNonEmptyString(PredictedLabelColumnName);
        ctx.SaveNonEmptyString(EntitiesColumnName);
        ctx.Writer.Write(MaxTokens);
        ctx.Writer.Write(BatchSize);
        ctx.Writer.Write(_labelNames.Length);
        foreach (var name in _labelNames) ctx.SaveNonEmptyString(name);
        var tensors = _classifier.StateTensors();
        try { SaveTensorsSection(ctx, WeightsSection, tensors); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    // Factory for SignatureLoadModel.
    private static NuNerTransformer Create(IHostEnvironment environment, ModelLoadContext ctx)
    {
        Contracts.CheckValue(environment, nameof(environment));
        environment.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(Version);
        var config = MegalodonConfig.FromJson(ctx.LoadNonEmptyString());
        var options = new NuNerTrainer.Options
        {
            Sentence1ColumnName = ctx.LoadNonEmptyString(),
            OutputColumnName = ctx.LoadNonEmptyString(),
            EntitiesColumnName = ctx.LoadNonEmptyString(),
            MaxTokens = ctx.Reader.ReadInt32(),
            InferenceBatchSize = ctx.Reader.ReadInt32(),
        };
        int count = ctx.Reader.ReadInt32();
        if (count <= 0) throw new InvalidDataException($"The saved NuNER tagger is corrupt: it has {count} labels.");
        var labels = Enumerable.Range(0, count).Select(_ => ctx.LoadNonEmptyString()).ToArray();
        byte[]? legacyHash = ctx.Header.ModelVerWritten < VersionWithPlainWeights ? ctx.Reader.ReadBytes(32) : null;
        var classifier = new TokenClassifier(config, count);
        try
        {
            LoadStateSection(ctx, WeightsSection, legacyHash, classifier.LoadStateTensors);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
        return new NuNerTransformer(environment, classifier, labels, new KeyDataViewType(typeof(uint), count), options);
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the one-row-at-a-time mapper (PredictionEngine and row-to-row use).</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) =>
        new TextResultMapper<NuNerPrediction>(this, schema, SentenceColumnName, OutputColumns(), (text, _) => Predict([SplitWords(text.AsMemory())])[0]);
}
