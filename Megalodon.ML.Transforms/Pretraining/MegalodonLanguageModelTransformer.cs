using System.Security.Cryptography;
using Megalodon.ML.Checkpoints;
using Megalodon.ML.Generation;
using Megalodon.ML.Inference;
using Megalodon.ML.Integration;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Data;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(MegalodonLanguageModelTransformer), null, typeof(SignatureLoadModel),
    MegalodonLanguageModelTransformer.UserName, MegalodonLanguageModelTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(MegalodonLanguageModelTransformer), null, typeof(SignatureLoadRowMapper),
    MegalodonLanguageModelTransformer.UserName, MegalodonLanguageModelTransformer.LoaderSignature)]

namespace Megalodon.ML.Transforms.Pretraining;

/// <summary>
/// A fitted Megalodon language model. As an ML.NET transformer it adds, per row of a text column, the mean
/// negative log-likelihood, the perplexity and a pooled embedding, computed lazily in batches of rows. It also
/// generates text, and serves as a Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> and
/// <see cref="IChatClient"/>. It round-trips through <c>mlContext.Model.Save</c>/<c>Load</c> with its weights,
/// config and tokenizer inside the .zip.
/// </summary>
public sealed class MegalodonLanguageModelTransformer : MegalodonTransformerBase, ITransformer,
    IEmbeddingGenerator<string, Embedding<float>>, IChatClient, IDisposable
{
    internal const string LoaderSignature = "MegalodonLanguageModel";
    internal const string UserName = "Megalodon Language Model";
    private const string WeightsSection = "Weights.safetensors";
    // 0x00010002 adds the training data record, 0x00010003 the text input policy; older files still load.
    private const uint VersionWithDataRecord = 0x00010002;
    private const uint VersionWithTextInput = 0x00010003;
    private static readonly VersionInfo Version = CreateVersionInfo("MEGALMTR", LoaderSignature, typeof(MegalodonLanguageModelTransformer),
        version: VersionWithTextInput, oldestReadableBy: VersionWithTextInput, oldestWeCanRead: 0x00010001);

    private readonly SharedNetworkLease _network;
    private readonly SequenceScorer _scorer;
    private readonly MegalodonEmbeddingGenerator _embeddings;
    private readonly MegalodonChatClient _chat;

    internal MegalodonLanguageModelTransformer(IHostEnvironment environment, MegalodonModel model, ModelTokenizer tokenizer, LanguageModelScoringOptions scoring)
        : base(environment, nameof(MegalodonLanguageModelTransformer))
    {
        Host.CheckValue(model, nameof(model));
        Host.CheckValue(tokenizer, nameof(tokenizer));
        scoring.Validate();
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} ids but the model only {model.Config.VocabSize}.");
        _network = SharedNetwork.Own(model);
        Tokenizer = tokenizer;
        Scoring = scoring;
        _scorer = new SequenceScorer(model, scoring.Pooling, tokenizer.EndOfTextId);
        _embeddings = new MegalodonEmbeddingGenerator(model, tokenizer.Tokenizer, tokenizer.EndOfTextId, scoring.Pooling);
        _chat = new MegalodonChatClient(model, tokenizer.Tokenizer, tokenizer.EndOfTextId);
    }

    /// <summary>The trained network.</summary>
    public MegalodonModel Model => _network.Model;

    /// <summary>A share of the network for a transformer built from this one (Steer, LayerActivations): the network lives until every share and this transformer are disposed.</summary>
    internal SharedNetworkLease ShareNetwork() => _network.Share();
    /// <summary>The tokenizer the model was trained with.</summary>
    public ModelTokenizer Tokenizer { get; }
    /// <summary>The columns read and written by <see cref="Transform"/>.</summary>
    public LanguageModelScoringOptions Scoring { get; }
    /// <summary>What training did (losses, validations); null for a model loaded from disk.</summary>
    public Megalodon.ML.Training.TrainingResult? TrainingResult { get; internal init; }
    /// <summary>
    /// What data training read and in which order (saved with the model), so continual pre-training can replay the
    /// samples this model saw; null when unknown (models saved before it was recorded).
    /// </summary>
    public Megalodon.ML.Training.TrainingDataRecord? DataRecord { get; internal init; }
    /// <summary>Losses on the named validation sets, forgetting and adaptation of a continual run; null otherwise and for a loaded model.</summary>
    public Megalodon.ML.Transforms.Continual.ContinualTrainingReport? ContinualReport { get; internal init; }

    /// <summary>Scores <paramref name="input"/> lazily, running the model on batches of <see cref="LanguageModelScoringOptions.BatchSize"/> rows.</summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        TextColumn.CheckSchema(Host, input.Schema, Scoring.InputColumnName);
        return CreateBatchedMapper().Apply(input);
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>
    /// Scores texts directly (mean NLL, token count, embedding per text), in input order, under
    /// <see cref="LanguageModelScoringOptions.TextInput"/> (token cap; an empty text is an error or gets NaN outputs).
    /// </summary>
    /// <exception cref="ArgumentException">A text is empty and the policy is to throw; the message gives its index.</exception>
    public IReadOnlyList<SequenceScore> Score(IReadOnlyList<string> texts)
    {
        Host.CheckValue(texts, nameof(texts));
        return ScoreRows(texts, Enumerable.Range(0, texts.Count).Select(i => (long)i).ToList(), "scored");
    }

    /// <summary>Scores texts that are rows <paramref name="rows"/> of the data (errors name those rows).</summary>
    private IReadOnlyList<SequenceScore> ScoreRows(IReadOnlyList<string> texts, IReadOnlyList<long> rows, string what)
    {
        var policy = Scoring.TextInput;
        var ids = texts.Select((text, i) => policy.Tokens(Tokenizer, text, rows[i], Scoring.InputColumnName, what)).ToList();
        var present = Enumerable.Range(0, ids.Count).Where(i => ids[i] is not null).ToList();
        var scores = present.Count == 0 ? [] : _scorer.Score(present.Select(i => ids[i]!).ToList());
        var results = new SequenceScore[texts.Count];
        for (int k = 0; k < present.Count; k++) results[present[k]] = scores[k];
        for (int i = 0; i < results.Length; i++)
            results[i] ??= new SequenceScore(double.NaN, 0, Enumerable.Repeat(float.NaN, Model.Config.ModelDim).ToArray());
        return results;
    }

    /// <summary>Generates a continuation of <paramref name="prompt"/>.</summary>
    public string Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        new TextGenerator(Model, Tokenizer.Tokenizer, Tokenizer.EndOfTextId).Generate(prompt, options, cancellationToken);

    /// <summary>Generates a continuation of <paramref name="prompt"/>, streamed as text pieces; memory stays bounded whatever the prompt length.</summary>
    public IAsyncEnumerable<string> GenerateAsync(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        new TextGenerator(Model, Tokenizer.Tokenizer, Tokenizer.EndOfTextId).GenerateAsync(prompt, options, cancellationToken);

    /// <summary>Embeds texts under <see cref="LanguageModelScoringOptions.TextInput"/> (token cap, empty texts), as the Embedding column.</summary>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var scores = ScoreRows(texts, Enumerable.Range(0, texts.Count).Select(i => (long)i).ToList(), "embedded");
        var modelId = ((EmbeddingGeneratorMetadata?)_embeddings.GetService(typeof(EmbeddingGeneratorMetadata)))?.DefaultModelId;
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(scores.Select(s => new Embedding<float>(s.Embedding) { ModelId = modelId })));
    }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _chat.GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _chat.GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : _embeddings.GetService(serviceType, serviceKey) ?? _chat.GetService(serviceType, serviceKey);

    /// <summary>Releases the model's tensors, unless a transformer built from this one (Steer, LayerActivations) still uses them: then the last of them does.</summary>
    public void Dispose() => _network.Dispose();

    private BatchedColumnMapper<ReadOnlyMemory<char>, SequenceScore> CreateBatchedMapper() =>
        new(Scoring.InputColumnName, OutputColumns(), (texts, rows) => ScoreRows(texts.Select(t => t.ToString()).ToList(), rows, "scored"), Scoring.BatchSize);

    private IReadOnlyList<BatchedOutputColumn<SequenceScore>> OutputColumns() =>
    [
        BatchedOutputColumn<SequenceScore>.Create(Scoring.NegativeLogLikelihoodColumnName, NumberDataViewType.Single, (SequenceScore s, ref float v) => v = (float)s.MeanNegativeLogLikelihood),
        BatchedOutputColumn<SequenceScore>.Create(Scoring.PerplexityColumnName, NumberDataViewType.Single, (SequenceScore s, ref float v) => v = (float)s.Perplexity),
        BatchedOutputColumn<SequenceScore>.Create(Scoring.EmbeddingColumnName, new VectorDataViewType(NumberDataViewType.Single, Model.Config.ModelDim),
            (SequenceScore s, ref VBuffer<float> v) =>
            {
                var editor = VBufferEditor.Create(ref v, s.Embedding.Length);
                s.Embedding.CopyTo(editor.Values);
                v = editor.Commit();
            }),
    ];

    private protected override VersionInfo ModelVersion => Version;

    // *** Binary format, version 0x00010002 ***
    //   string: config JSON (reference field names)
    //   string ×4: input, NLL, perplexity, embedding column names
    //   int: pooling; int: batch size
    //   byte[32]: SHA-256 of the weights section
    //   section Tokenizer.bin: TokenizerSpec
    //   section Weights.safetensors: int length, then the reference state dict as safetensors bytes
    //   string or null: the training data record as JSON (absent in 0x00010001)
    //   int ×3: text input policy: empty-text policy, max tokens (-1: none), truncation (absent before 0x00010003)
    private protected override void SaveContents(ModelSaveContext ctx)
    {
        byte[] weights = SerializeWeights(Model);
        ctx.SaveNonEmptyString(Model.Config.ToJson());
        ctx.SaveNonEmptyString(Scoring.InputColumnName);
        ctx.SaveNonEmptyString(Scoring.NegativeLogLikelihoodColumnName);
        ctx.SaveNonEmptyString(Scoring.PerplexityColumnName);
        ctx.SaveNonEmptyString(Scoring.EmbeddingColumnName);
        ctx.Writer.Write((int)Scoring.Pooling);
        ctx.Writer.Write(Scoring.BatchSize);
        ctx.Writer.Write(SHA256.HashData(weights));
        SaveTokenizer(ctx, Tokenizer);
        SaveSection(ctx, WeightsSection, writer => { writer.Write(weights.Length); writer.Write(weights); });
        ctx.SaveStringOrNull(DataRecord?.ToJson());
        Scoring.TextInput.Write(ctx.Writer);
    }

    // Factory for SignatureLoadModel.
    private static MegalodonLanguageModelTransformer Create(IHostEnvironment environment, ModelLoadContext ctx)
    {
        Contracts.CheckValue(environment, nameof(environment));
        environment.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(Version);
        var config = MegalodonConfig.FromJson(ctx.LoadNonEmptyString());
        var scoring = new LanguageModelScoringOptions
        {
            InputColumnName = ctx.LoadNonEmptyString(),
            NegativeLogLikelihoodColumnName = ctx.LoadNonEmptyString(),
            PerplexityColumnName = ctx.LoadNonEmptyString(),
            EmbeddingColumnName = ctx.LoadNonEmptyString(),
            Pooling = (PoolingMode)ctx.Reader.ReadInt32(),
            BatchSize = ctx.Reader.ReadInt32(),
        };
        byte[] expectedHash = ctx.Reader.ReadBytes(32);
        var tokenizer = LoadTokenizer(ctx);
        byte[] weights = LoadSection(ctx, WeightsSection, reader => reader.ReadBytes(reader.ReadInt32()));
        if (!SHA256.HashData(weights).AsSpan().SequenceEqual(expectedHash))
            throw new InvalidDataException($"The saved Megalodon model is corrupt: the checksum of its weights ({WeightsSection}) does not match.");
        var record = ctx.Header.ModelVerWritten >= VersionWithDataRecord && ctx.LoadStringOrNull() is { } json
            ? Megalodon.ML.Training.TrainingDataRecord.FromJson(json)
            : null;
        if (ctx.Header.ModelVerWritten >= VersionWithTextInput)
            scoring = scoring with { TextInput = Megalodon.ML.Transforms.Text.TextInputPolicy.Read(ctx.Reader) };
        var model = new MegalodonModel(config);
        model.LoadReferenceStateDict(DeserializeWeights(weights));
        model.eval();
        return new MegalodonLanguageModelTransformer(environment, model, tokenizer, scoring) { DataRecord = record };
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the one-row-at-a-time mapper (PredictionEngine and row-to-row use).</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) =>
        new TextResultMapper<SequenceScore>(this, schema, Scoring.InputColumnName, OutputColumns(), (text, row) => ScoreRows([text], [row], "scored")[0]);
}
