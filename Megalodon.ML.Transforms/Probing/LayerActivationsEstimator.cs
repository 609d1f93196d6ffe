using Megalodon.ML.Probing;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>
/// Adds one <see cref="VBuffer{T}"/> column per layer (and per checkpoint) holding a text's layer output at its last
/// token or averaged over its tokens, running the network on batches of rows. The network is a fitted language model
/// or a list of pretraining checkpoints. Create it with <c>mlContext.Transforms.Megalodon().LayerActivations(...)</c>.
/// </summary>
public sealed class LayerActivationsEstimator : IEstimator<LayerActivationsTransformer>
{
    /// <summary>Options of <see cref="LayerActivationsEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The text column read.</summary>
        public string TextColumnName = "Text";
        /// <summary>The network: a fitted language model. Give this, <see cref="LanguageModelPath"/> or <see cref="CheckpointFolders"/>.</summary>
        public MegalodonLanguageModelTransformer? LanguageModel;
        /// <summary>The network: a language model saved with <c>mlContext.Model.Save</c>, loaded by Fit (so the pipeline composes before anything is fitted).</summary>
        public string? LanguageModelPath;
        /// <summary>A saved language model from a stream (the catalog's stream overload).</summary>
        internal SavedLanguageModel? SavedLanguageModel;
        /// <summary>The networks: step checkpoint folders of one pretraining run shape (<c>&lt;run&gt;/step-NNNNNN</c>). Give this or <see cref="LanguageModel"/>.</summary>
        public IReadOnlyList<string>? CheckpointFolders;
        /// <summary>The tokenizer for checkpoints whose run folder does not describe one.</summary>
        public ModelTokenizer? Tokenizer;
        /// <summary>Layers to read (0-based); null for all.</summary>
        public IReadOnlyList<int>? Layers;
        /// <summary>Last token (as the paper) or mean over tokens.</summary>
        public ActivationPosition Position = ActivationPosition.Last;
        /// <summary>Output columns are named <c>{prefix}{layer}</c>, and <c>{checkpoint}.{prefix}{layer}</c> for checkpoints.</summary>
        public string OutputColumnPrefix = "Layer";
        /// <summary>Rows run through the network together.</summary>
        public int BatchSize = 16;
        /// <summary>Steering applied while reading (steered representations); null for none.</summary>
        public ActivationSteering? Steering;
        /// <summary>Empty rows (an error naming the row, or NaN vectors) and the token cap of each text.</summary>
        public TextInputPolicy TextInput = new();
    }

    private readonly IHost _host;
    private readonly Options _options;
    private readonly SavedLanguageModel? _saved;

    internal LayerActivationsEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(LayerActivationsEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.TextColumnName, nameof(options.TextColumnName));
        _host.CheckNonWhiteSpace(options.OutputColumnPrefix, nameof(options.OutputColumnPrefix));
        int sources = new object?[] { options.LanguageModel, options.LanguageModelPath, options.SavedLanguageModel, options.CheckpointFolders }.Count(s => s is not null);
        if (sources != 1)
            throw new ArgumentException("Give exactly one of LanguageModel (a fitted language model), LanguageModelPath (a saved one) and CheckpointFolders.");
        _saved = options.SavedLanguageModel ?? (options.LanguageModelPath is { } path ? SavedLanguageModel.FromFile(path) : null);
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be positive.");
        (options.TextInput ?? throw new ArgumentNullException(nameof(options), "TextInput must be set.")).Validate();
        if ((options.LanguageModel?.Model.Config ?? _saved?.Config) is { } config)
        {
            LayerActivationExtractor.CheckLayers(options.Layers, config.NumLayers);
            options.Steering?.CheckFits(config);
        }
        _options = options;
    }

    /// <summary>The input schema plus one float vector column per layer and network.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.CheckSchema(_host, inputSchema, _options.TextColumnName);
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var name in OutputNames())
            columns[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Checks the schema and loads the networks; reading activations needs no training.</summary>
    /// <exception cref="ArgumentException">Bad checkpoints (missing, of different configs) or a layer out of range.</exception>
    public LayerActivationsTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        // A saved model is loaded afresh; the transformer keeps its share of it and this copy's own lease goes at the end.
        using var loaded = _saved?.Load();
        if ((o.LanguageModel ?? loaded) is { } model)
        {
            // A share of the language model's network: disposing either transformer leaves the other working.
            var share = model.ShareNetwork();
            try
            {
                return new LayerActivationsTransformer(_host, Settings(), [new ProbedNetwork(LayerActivationsTransformer.FittedModelName, null, share.Model)], model.Tokenizer, [share]);
            }
            catch
            {
                share.Dispose();
                throw;
            }
        }
        var (networks, tokenizer) = ProbingCheckpoints.Load(o.CheckpointFolders!, o.Tokenizer);
        try
        {
            return new LayerActivationsTransformer(_host, Settings(), networks, tokenizer, networks.Select(n => (IDisposable)n.Model).ToList());
        }
        catch
        {
            foreach (var n in networks) n.Model.Dispose();
            throw;
        }
    }

    private LayerActivationsSettings Settings() =>
        new(_options.TextColumnName, _options.OutputColumnPrefix, _options.Layers?.ToArray(), _options.Position, _options.BatchSize, _options.Steering, _options.TextInput);

    private IEnumerable<string> OutputNames()
    {
        var o = _options;
        // Checkpoint configs are only known once loaded: name columns from the layer selection, or from the folder names alone.
        if ((o.LanguageModel?.Model.Config ?? _saved?.Config) is { } config)
            return LayerActivationExtractor.CheckLayers(o.Layers, config.NumLayers).Select(l => LayerActivationsTransformer.ColumnName(o.OutputColumnPrefix, null, l));
        if (o.CheckpointFolders!.Count == 0) throw new ArgumentException("Give at least one checkpoint folder.");
        var layers = LayerActivationExtractor.CheckLayers(o.Layers, ProbingCheckpoints.ReadConfig(o.CheckpointFolders[0]).NumLayers);
        var names = o.CheckpointFolders.Select(f => Path.GetFileName(Path.TrimEndingDirectorySeparator(f)));
        return names.SelectMany(n => layers.Select(l => LayerActivationsTransformer.ColumnName(o.OutputColumnPrefix, n, l)));
    }
}

/// <summary>What a <see cref="LayerActivationsTransformer"/> reads and writes.</summary>
internal sealed record LayerActivationsSettings(string TextColumnName, string OutputColumnPrefix, int[]? Layers, ActivationPosition Position, int BatchSize, ActivationSteering? Steering, TextInputPolicy TextInput);
