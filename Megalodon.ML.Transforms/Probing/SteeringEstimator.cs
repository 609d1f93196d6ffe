using Megalodon.ML.Inference;
using Megalodon.ML.Model;
using Megalodon.ML.Probing;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>
/// Computes a steering vector from labelled texts (difference of class means at one layer, unit-normalised, scaled by
/// the std of the projections, as TracingLLM) and returns a <see cref="SteeringTransformer"/> that scores, embeds and
/// optionally generates from texts with the vector added at that layer. The vector may come from another network of
/// the same config, such as a pretraining checkpoint, as in the paper. Create it with
/// <c>mlContext.Transforms.Megalodon().Steer(...)</c>.
/// </summary>
public sealed class SteeringEstimator : IEstimator<SteeringTransformer>
{
    /// <summary>Options of <see cref="SteeringEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The model that is steered: a fitted language model, or give <see cref="LanguageModelPath"/>.</summary>
        public MegalodonLanguageModelTransformer? LanguageModel;
        /// <summary>The model that is steered, saved with <c>mlContext.Model.Save</c> and loaded by Fit (so the pipeline composes before anything is fitted).</summary>
        public string? LanguageModelPath;
        /// <summary>A saved language model from a stream (the catalog's stream overload).</summary>
        internal SavedLanguageModel? SavedLanguageModel;
        /// <summary>A step checkpoint (<c>&lt;run&gt;/step-NNNNNN</c>) whose activations give the vector; null uses <see cref="LanguageModel"/>. Its config must equal the model's.</summary>
        public string? SourceCheckpointFolder;
        /// <summary>The text column (read when fitting and when transforming).</summary>
        public string TextColumnName = "Text";
        /// <summary>The Boolean label column of the fitting data.</summary>
        public string LabelColumnName = "Label";
        /// <summary>The layer steered (0-based).</summary>
        public int Layer;
        /// <summary>α: the multiple of the vector added; negative moves away from label true.</summary>
        public double Strength = 1;
        /// <summary>Last position (the paper) or every position.</summary>
        public SteeringPosition Position = SteeringPosition.Last;
        /// <summary>Share of the leading fitting rows whose class means give the direction (the paper: 0.5); the scale uses all rows.</summary>
        public double DirectionFraction = 0.5;
        /// <summary>Pooling of the steered embedding column.</summary>
        public PoolingMode Pooling = PoolingMode.LastToken;
        /// <summary>Tokens generated per row into the text column; 0 adds no text column.</summary>
        public int MaxNewTokens;
        /// <summary>Output column names.</summary>
        public SteeringColumns Columns = new();
        /// <summary>Rows run together when scoring.</summary>
        public int BatchSize = 16;
        /// <summary>Empty rows (an error naming the row, or NaN outputs and empty text) and the token cap of scoring when transforming.</summary>
        public TextInputPolicy TextInput = new();
    }

    private readonly IHost _host;
    private readonly Options _options;
    private readonly SavedLanguageModel? _saved;

    internal SteeringEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(SteeringEstimator));
        _host.CheckValue(options, nameof(options));
        if (new object?[] { options.LanguageModel, options.LanguageModelPath, options.SavedLanguageModel }.Count(s => s is not null) != 1)
            throw new ArgumentException("Give exactly one model to steer: LanguageModel (a fitted language model) or LanguageModelPath (a saved one).");
        _saved = options.SavedLanguageModel ?? (options.LanguageModelPath is { } path ? SavedLanguageModel.FromFile(path) : null);
        var config = options.LanguageModel?.Model.Config ?? _saved!.Config;
        _host.CheckNonWhiteSpace(options.TextColumnName, nameof(options.TextColumnName));
        _host.CheckNonWhiteSpace(options.LabelColumnName, nameof(options.LabelColumnName));
        LayerActivationExtractor.CheckLayers([options.Layer], config.NumLayers);
        if (!double.IsFinite(options.Strength)) throw new ArgumentOutOfRangeException(nameof(options), options.Strength, "Strength must be finite.");
        if (options.DirectionFraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), options.DirectionFraction, "DirectionFraction must be in (0, 1].");
        if (options.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxNewTokens, "MaxNewTokens must be non-negative.");
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be positive.");
        options.Columns.Validate(options.MaxNewTokens > 0);
        (options.TextInput ?? throw new ArgumentNullException(nameof(options), "TextInput must be set.")).Validate();
        _options = options;
    }

    /// <summary>The input schema plus the steered NLL, embedding and (with <see cref="Options.MaxNewTokens"/>) text columns.</summary>
    /// <exception cref="ArgumentException">The text column is missing or not text, or the label is missing or not Boolean.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.CheckSchema(_host, inputSchema, _options.TextColumnName);
        ProbeColumns.CheckLabel(inputSchema, _options.LabelColumnName);
        var c = _options.Columns;
        var columns = inputSchema.ToDictionary(x => x.Name);
        columns[c.NegativeLogLikelihood] = new SchemaShape.Column(c.NegativeLogLikelihood, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[c.Embedding] = new SchemaShape.Column(c.Embedding, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        if (_options.MaxNewTokens > 0)
            columns[c.Text] = new SchemaShape.Column(c.Text, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Computes the steering vector from <paramref name="input"/> (texts with Boolean labels).</summary>
    /// <exception cref="ArgumentException">Bad columns, empty texts, a single class, or a source checkpoint of another config.</exception>
    public SteeringTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        // A saved model is loaded afresh; the transformer keeps its share of it and this copy's own lease goes at the end.
        using var loaded = _saved?.Load();
        var target = o.LanguageModel ?? loaded!;
        var texts = TextColumn.ReadAll(_host, input, o.TextColumnName, "steering");
        var labels = ReadLabels(input, o.LabelColumnName);
        var ids = texts.Select(t => (IReadOnlyList<int>)target.Tokenizer.Encode(t)).ToList();

        SteeringVector vector;
        if (o.SourceCheckpointFolder is { } folder)
        {
            var (networks, tokenizer) = ProbingCheckpoints.Load([folder], target.Tokenizer);
            using var source = networks[0].Model;
            if (source.Config.ToJson() != target.Model.Config.ToJson())
                throw new ArgumentException($"The source checkpoint '{folder}' has a different config from the steered model: a vector from it would not fit.");
            vector = Vector(source, ids, labels, tokenizer.EndOfTextId);
        }
        else
            vector = Vector(target.Model, ids, labels, target.Tokenizer.EndOfTextId);
        var steering = new ActivationSteering(vector, o.Strength, o.Position);
        // A share of the language model's network: disposing either transformer leaves the other working.
        var network = target.ShareNetwork();
        try
        {
            return new SteeringTransformer(_host, network, target.Tokenizer, steering,
                new SteeringSettings(o.TextColumnName, o.Columns, o.Pooling, o.MaxNewTokens, o.BatchSize, o.TextInput));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private SteeringVector Vector(MegalodonModel model, IReadOnlyList<IReadOnlyList<int>> ids, bool[] labels, int startToken)
    {
        var extractor = new LayerActivationExtractor(model, [_options.Layer], ActivationPosition.Last, startToken);
        var activations = new List<float[]>();
        // Batches bound the padded tensor; the texts are independent.
        for (int start = 0; start < ids.Count; start += _options.BatchSize)
            activations.AddRange(extractor.Extract(ids.Skip(start).Take(_options.BatchSize).ToList()).Values[0]);
        int directionRows = Math.Max(1, (int)Math.Round(ids.Count * _options.DirectionFraction));
        return SteeringVector.Compute(_options.Layer, activations, labels, directionRows);
    }

    private static bool[] ReadLabels(IDataView data, string label) => ProbeColumns.Read(data, label, []).Labels;
}

/// <summary>Output column names of a <see cref="SteeringTransformer"/>.</summary>
public sealed record SteeringColumns
{
    /// <summary>Mean next-token NLL of the text under steering.</summary>
    public string NegativeLogLikelihood { get; init; } = "SteeredNegativeLogLikelihood";
    /// <summary>The steered embedding (final hidden state, pooled).</summary>
    public string Embedding { get; init; } = "SteeredEmbedding";
    /// <summary>The steered continuation of the text (only with generation on).</summary>
    public string Text { get; init; } = "SteeredText";

    internal void Validate(bool withText)
    {
        var names = withText ? new[] { NegativeLogLikelihood, Embedding, Text } : [NegativeLogLikelihood, Embedding];
        if (names.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Steering output column names must not be empty.");
        if (names.Distinct().Count() != names.Length) throw new ArgumentException("Steering output column names must differ.");
    }
}

/// <summary>What a <see cref="SteeringTransformer"/> reads and writes.</summary>
internal sealed record SteeringSettings(string TextColumnName, SteeringColumns Columns, PoolingMode Pooling, int MaxNewTokens, int BatchSize, TextInputPolicy TextInput);
