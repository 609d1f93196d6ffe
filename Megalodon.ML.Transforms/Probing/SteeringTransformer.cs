using Megalodon.ML.Generation;
using Megalodon.ML.Inference;
using Megalodon.ML.Model;
using Megalodon.ML.Probing;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms.Data;
using Megalodon.ML.Transforms.Probing;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SteeringTransformer), null, typeof(SignatureLoadModel),
    SteeringTransformer.UserName, SteeringTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(SteeringTransformer), null, typeof(SignatureLoadRowMapper),
    SteeringTransformer.UserName, SteeringTransformer.LoaderSignature)]

namespace Megalodon.ML.Transforms.Probing;

/// <summary>
/// A language model with a steering vector added at one layer. As a transformer it adds per text the steered mean NLL,
/// the steered embedding and, when generation is on, a steered continuation; it also scores, embeds and generates
/// directly. It saves the network, tokenizer and steering with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class SteeringTransformer : MegalodonTransformerBase, ITransformer, IDisposable
{
    internal const string LoaderSignature = "MegalodonSteering";
    internal const string UserName = "Megalodon Steering";
    private const string NetworkSection = "Network.bin";
    // 0x00010002 stores each network as a plain safetensors entry (config in its metadata, SHA-256 in a sibling entry); 0x00010001 still loads.
    private const uint VersionWithPlainWeights = 0x00010002;
    private static readonly VersionInfo Version = CreateVersionInfo("MEGSTEER", LoaderSignature, typeof(SteeringTransformer),
        version: VersionWithPlainWeights, oldestReadableBy: VersionWithPlainWeights, oldestWeCanRead: 0x00010001);

    private readonly SteeringSettings _settings;
    private readonly bool _ownsModel;
    private readonly SequenceScorer _scorer;

    internal SteeringTransformer(IHostEnvironment environment, MegalodonModel model, ModelTokenizer tokenizer, ActivationSteering steering, SteeringSettings settings, bool ownsModel)
        : base(environment, nameof(SteeringTransformer))
    {
        Host.CheckValue(model, nameof(model));
        Host.CheckValue(tokenizer, nameof(tokenizer));
        Host.CheckValue(steering, nameof(steering));
        steering.CheckFits(model.Config);
        Model = model;
        Tokenizer = tokenizer;
        Steering = steering;
        _settings = settings;
        _ownsModel = ownsModel;
        _scorer = new SequenceScorer(model, settings.Pooling, tokenizer.EndOfTextId);
    }

    /// <summary>The steered network.</summary>
    public MegalodonModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public ModelTokenizer Tokenizer { get; }

    /// <summary>The steering vector, layer, strength and position.</summary>
    public ActivationSteering Steering { get; }

    /// <summary>The text column read.</summary>
    public string TextColumnName => _settings.TextColumnName;

    /// <summary>Scores texts under steering: mean NLL and pooled embedding per text, in input order.</summary>
    /// <exception cref="ArgumentException">A text is empty.</exception>
    public IReadOnlyList<SequenceScore> Score(IReadOnlyList<string> texts)
    {
        Host.CheckValue(texts, nameof(texts));
        var ids = texts.Select((t, i) => string.IsNullOrWhiteSpace(t)
            ? throw new ArgumentException($"Text {i} is empty: there is nothing to score.", nameof(texts))
            : (IReadOnlyList<int>)Tokenizer.Encode(t)).ToList();
        using (Steering.Attach(Model))
            return _scorer.Score(ids);
    }

    /// <summary>Generates a steered continuation of <paramref name="prompt"/>.</summary>
    public string Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using (Steering.Attach(Model))
            return new TextGenerator(Model, Tokenizer.Tokenizer, Tokenizer.EndOfTextId).Generate(prompt, options, cancellationToken);
    }

    /// <summary>Adds the steered columns lazily, running the model on batches of rows.</summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        TextColumn.CheckSchema(Host, input.Schema, TextColumnName);
        return new BatchedColumnMapper<ReadOnlyMemory<char>, SteeredRow>(TextColumnName, OutputColumns(),
            texts => Compute(texts.Select(t => t.ToString()).ToList()), _settings.BatchSize).Apply(input);
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>Releases the network when this transformer loaded it (not the one of a fitted model it was given).</summary>
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    private IReadOnlyList<SteeredRow> Compute(IReadOnlyList<string> texts)
    {
        var scores = Score(texts);
        // Greedy decoding, as the paper's evaluations.
        var generation = new GenerationOptions { MaxTokens = Math.Max(1, _settings.MaxNewTokens), Temperature = 0 };
        return texts.Select((t, i) => new SteeredRow(scores[i], _settings.MaxNewTokens > 0 ? Generate(t, generation) : null)).ToList();
    }

    private IReadOnlyList<BatchedOutputColumn<SteeredRow>> OutputColumns()
    {
        var c = _settings.Columns;
        var columns = new List<BatchedOutputColumn<SteeredRow>>
        {
            BatchedOutputColumn<SteeredRow>.Create(c.NegativeLogLikelihood, NumberDataViewType.Single, (SteeredRow r, ref float v) => v = (float)r.Score.MeanNegativeLogLikelihood),
            BatchedOutputColumn<SteeredRow>.Create(c.Embedding, new VectorDataViewType(NumberDataViewType.Single, Model.Config.ModelDim), (SteeredRow r, ref VBuffer<float> v) =>
            {
                var editor = VBufferEditor.Create(ref v, r.Score.Embedding.Length);
                r.Score.Embedding.CopyTo(editor.Values);
                v = editor.Commit();
            }),
        };
        if (_settings.MaxNewTokens > 0)
            columns.Add(BatchedOutputColumn<SteeredRow>.Create(c.Text, TextDataViewType.Instance, (SteeredRow r, ref ReadOnlyMemory<char> v) => v = (r.Text ?? "").AsMemory()));
        return columns;
    }

    private protected override VersionInfo ModelVersion => Version;

    // *** Binary format, version 0x00010001 ***
    //   string ×4: text, NLL, embedding, generated-text column names; int: pooling; int: max new tokens; int: batch size
    //   section Network.bin; section Tokenizer.bin; steering (SteeringPersistence)
    private protected override void SaveContents(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(_settings.TextColumnName);
        ctx.SaveNonEmptyString(_settings.Columns.NegativeLogLikelihood);
        ctx.SaveNonEmptyString(_settings.Columns.Embedding);
        ctx.SaveNonEmptyString(_settings.Columns.Text);
        ctx.Writer.Write((int)_settings.Pooling);
        ctx.Writer.Write(_settings.MaxNewTokens);
        ctx.Writer.Write(_settings.BatchSize);
        SaveNetwork(ctx, NetworkSection, Model);
        SaveTokenizer(ctx, Tokenizer);
        SteeringPersistence.Write(ctx.Writer, Steering);
    }

    // Factory for SignatureLoadModel.
    private static SteeringTransformer Create(IHostEnvironment environment, ModelLoadContext ctx)
    {
        Contracts.CheckValue(environment, nameof(environment));
        environment.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(Version);
        string text = ctx.LoadNonEmptyString();
        var columns = new SteeringColumns { NegativeLogLikelihood = ctx.LoadNonEmptyString(), Embedding = ctx.LoadNonEmptyString(), Text = ctx.LoadNonEmptyString() };
        var pooling = (PoolingMode)ctx.Reader.ReadInt32();
        int maxNewTokens = ctx.Reader.ReadInt32();
        int batch = ctx.Reader.ReadInt32();
        var model = LoadNetwork(ctx, NetworkSection, legacy: ctx.Header.ModelVerWritten < VersionWithPlainWeights);
        var tokenizer = LoadTokenizer(ctx);
        var steering = SteeringPersistence.Read(ctx.Reader) ?? throw new InvalidDataException("The saved steering model holds no steering vector.");
        return new SteeringTransformer(environment, model, tokenizer, steering, new SteeringSettings(text, columns, pooling, maxNewTokens, batch), ownsModel: true);
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the one-row-at-a-time mapper.</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) =>
        new TextResultMapper<SteeredRow>(this, schema, TextColumnName, OutputColumns(), text => Compute([text])[0]);

    private sealed record SteeredRow(SequenceScore Score, string? Text);
}
