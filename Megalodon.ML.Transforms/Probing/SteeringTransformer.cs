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
    // 0x00010002 adds the text input policy; files of 0x00010001 still load.
    private const uint VersionWithTextInput = 0x00010002;
    private static readonly VersionInfo Version = CreateVersionInfo("MEGSTEER", LoaderSignature, typeof(SteeringTransformer),
        version: VersionWithTextInput, oldestReadableBy: VersionWithTextInput, oldestWeCanRead: 0x00010001);

    private readonly SteeringSettings _settings;
    private readonly SharedNetworkLease _network;
    private readonly SequenceScorer _scorer;

    /// <param name="environment">The host.</param>
    /// <param name="network">This transformer's share of the network (its own, or one shared with the language model it was built from); disposed with it.</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="steering">The intervention.</param>
    /// <param name="settings">Columns and batching.</param>
    internal SteeringTransformer(IHostEnvironment environment, SharedNetworkLease network, ModelTokenizer tokenizer, ActivationSteering steering, SteeringSettings settings)
        : base(environment, nameof(SteeringTransformer))
    {
        Host.CheckValue(network, nameof(network));
        var model = network.Model;
        Host.CheckValue(tokenizer, nameof(tokenizer));
        Host.CheckValue(steering, nameof(steering));
        steering.CheckFits(model.Config);
        _network = network;
        Tokenizer = tokenizer;
        Steering = steering;
        _settings = settings;
        _scorer = new SequenceScorer(model, settings.Pooling, tokenizer.EndOfTextId);
    }

    /// <summary>The steered network.</summary>
    public MegalodonModel Model => _network.Model;

    /// <summary>The tokenizer.</summary>
    public ModelTokenizer Tokenizer { get; }

    /// <summary>The steering vector, layer, strength and position.</summary>
    public ActivationSteering Steering { get; }

    /// <summary>The text column read.</summary>
    public string TextColumnName => _settings.TextColumnName;

    /// <summary>Scores texts under steering: mean NLL and pooled embedding per text, in input order (token cap and empty texts as set in the options).</summary>
    /// <exception cref="ArgumentException">A text is empty and the policy is to throw; the message gives its index.</exception>
    public IReadOnlyList<SequenceScore> Score(IReadOnlyList<string> texts)
    {
        Host.CheckValue(texts, nameof(texts));
        return ScoreRows(texts, Enumerable.Range(0, texts.Count).Select(i => (long)i).ToList()).Select(s => s ?? MissingScore()).ToList();
    }

    /// <summary>The outputs of an empty row under the Missing policy: NaN NLL and a NaN embedding.</summary>
    private SequenceScore MissingScore() => new(double.NaN, 0, Enumerable.Repeat(float.NaN, Model.Config.ModelDim).ToArray());

    /// <summary>Scores texts that are rows <paramref name="rows"/> of the data (errors name those rows); empty ones get NaN outputs under the Missing policy.</summary>
    private SequenceScore?[] ScoreRows(IReadOnlyList<string> texts, IReadOnlyList<long> rows)
    {
        var ids = texts.Select((t, i) => _settings.TextInput.Tokens(Tokenizer, t, rows[i], TextColumnName, "scored")).ToList();
        var present = Enumerable.Range(0, ids.Count).Where(i => ids[i] is not null).ToList();
        var scores = present.Count == 0 ? [] : _scorer.Score(present.Select(i => ids[i]!).ToList(), Steering);
        var results = new SequenceScore?[texts.Count];
        for (int k = 0; k < present.Count; k++) results[present[k]] = scores[k];
        return results;
    }

    /// <summary>Generates a steered continuation of <paramref name="prompt"/> (synchronously: safe inside a pipeline and under a SynchronizationContext).</summary>
    public string Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        new TextGenerator(Model, Tokenizer.Tokenizer, Tokenizer.EndOfTextId, Steering).Generate(prompt, options, cancellationToken);

    /// <summary>Generates a steered continuation of <paramref name="prompt"/>, streamed as text pieces.</summary>
    public IAsyncEnumerable<string> GenerateAsync(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        new TextGenerator(Model, Tokenizer.Tokenizer, Tokenizer.EndOfTextId, Steering).GenerateAsync(prompt, options, cancellationToken);

    /// <summary>Adds the steered columns lazily, running the model on batches of rows.</summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        TextColumn.CheckSchema(Host, input.Schema, TextColumnName);
        return new BatchedColumnMapper<ReadOnlyMemory<char>, SteeredRow>(TextColumnName, OutputColumns(),
            (texts, rows) => Compute(texts.Select(t => t.ToString()).ToList(), rows), _settings.BatchSize).Apply(input);
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>Lets go of the network: it is released when no other transformer (the language model it was built from) uses it.</summary>
    public void Dispose() => _network.Dispose();

    private IReadOnlyList<SteeredRow> Compute(IReadOnlyList<string> texts, IReadOnlyList<long> rows)
    {
        var scores = ScoreRows(texts, rows);
        // Greedy decoding, as the paper's evaluations.
        var generation = new GenerationOptions { MaxTokens = Math.Max(1, _settings.MaxNewTokens), Temperature = 0 };
        return texts.Select((t, i) => scores[i] is { } score
            ? new SteeredRow(score, _settings.MaxNewTokens > 0 ? Generate(t, generation) : null)
            : new SteeredRow(MissingScore(), "")).ToList();
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
    //   int ×3: text input policy (absent in 0x00010001)
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
        _settings.TextInput.Write(ctx.Writer);
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
        var network = SharedNetwork.Own(LoadNetwork(ctx, NetworkSection));
        try
        {
            var tokenizer = LoadTokenizer(ctx);
            var steering = SteeringPersistence.Read(ctx.Reader) ?? throw new InvalidDataException("The saved steering model holds no steering vector.");
            var textInput = ctx.Header.ModelVerWritten >= VersionWithTextInput ? TextInputPolicy.Read(ctx.Reader) : new TextInputPolicy();
            return new SteeringTransformer(environment, network, tokenizer, steering, new SteeringSettings(text, columns, pooling, maxNewTokens, batch, textInput));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the one-row-at-a-time mapper.</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) =>
        new TextResultMapper<SteeredRow>(this, schema, TextColumnName, OutputColumns(), (text, row) => Compute([text], [row])[0]);

    private sealed record SteeredRow(SequenceScore Score, string? Text);
}
