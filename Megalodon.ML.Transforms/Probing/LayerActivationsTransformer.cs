using Megalodon.ML.Probing;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms.Data;
using Megalodon.ML.Transforms.Probing;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(LayerActivationsTransformer), null, typeof(SignatureLoadModel),
    LayerActivationsTransformer.UserName, LayerActivationsTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(LayerActivationsTransformer), null, typeof(SignatureLoadRowMapper),
    LayerActivationsTransformer.UserName, LayerActivationsTransformer.LoaderSignature)]

namespace Megalodon.ML.Transforms.Probing;

/// <summary>
/// The fitted <see cref="LayerActivationsEstimator"/>: adds per network and layer a float vector column with a text's
/// layer output (last token or mean), computed lazily in batches of rows. It saves its networks, tokenizer and
/// steering with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class LayerActivationsTransformer : MegalodonTransformerBase, ITransformer, IDisposable
{
    internal const string LoaderSignature = "MegalodonLayerActs"; // ML.NET caps loader signatures at 24 characters.
    internal const string UserName = "Megalodon Layer Activations";
    internal const string FittedModelName = "model";
    // 0x00010002 adds the text input policy; files of 0x00010001 still load.
    private const uint VersionWithTextInput = 0x00010002;
    private static readonly VersionInfo Version = CreateVersionInfo("MEGLAYAC", LoaderSignature, typeof(LayerActivationsTransformer),
        version: VersionWithTextInput, oldestReadableBy: VersionWithTextInput, oldestWeCanRead: 0x00010001);

    private readonly LayerActivationsSettings _settings;
    private readonly IReadOnlyList<ProbedNetwork> _networks;
    private readonly IReadOnlyList<LayerActivationExtractor> _extractors;
    private readonly IReadOnlyList<IDisposable> _owned;

    /// <param name="environment">The host.</param>
    /// <param name="settings">Columns, layers, position, steering.</param>
    /// <param name="networks">The networks read.</param>
    /// <param name="tokenizer">Their tokenizer.</param>
    /// <param name="owned">What this transformer releases when disposed: the networks it loaded, or its share of a language model's network.</param>
    internal LayerActivationsTransformer(IHostEnvironment environment, LayerActivationsSettings settings, IReadOnlyList<ProbedNetwork> networks, ModelTokenizer tokenizer, IReadOnlyList<IDisposable> owned)
        : base(environment, nameof(LayerActivationsTransformer))
    {
        Host.CheckValue(networks, nameof(networks));
        Host.CheckValue(tokenizer, nameof(tokenizer));
        if (networks.Count == 0) throw new ArgumentException("At least one network is needed.", nameof(networks));
        foreach (var n in networks) settings.Steering?.CheckFits(n.Model.Config);
        _settings = settings;
        _networks = networks;
        Tokenizer = tokenizer;
        _owned = owned;
        _extractors = networks.Select(n => new LayerActivationExtractor(n.Model, settings.Layers, settings.Position, tokenizer.EndOfTextId)).ToList();
        Columns = networks.SelectMany((n, k) => _extractors[k].Layers.Select(l => new LayerActivationColumn(ColumnName(settings.OutputColumnPrefix, SingleModel ? null : n.Name, l), n.Name, n.Step, l))).ToList();
    }

    /// <summary>The text column read.</summary>
    public string TextColumnName => _settings.TextColumnName;

    /// <summary>The tokenizer.</summary>
    public ModelTokenizer Tokenizer { get; }

    /// <summary>The networks read, in column order.</summary>
    public IReadOnlyList<ProbedNetwork> Networks => _networks;

    /// <summary>The columns added, in order: network-major, then layer.</summary>
    public IReadOnlyList<LayerActivationColumn> Columns { get; }

    /// <summary>Last token or mean.</summary>
    public ActivationPosition Position => _settings.Position;

    /// <summary>The steering applied while reading, if any.</summary>
    public ActivationSteering? Steering => _settings.Steering;

    private bool SingleModel => _networks.Count == 1 && _networks[0].Name == FittedModelName;

    /// <summary>The column name of <paramref name="layer"/> of network <paramref name="network"/> (null for a single fitted model).</summary>
    public static string ColumnName(string prefix, string? network, int layer) => network is null ? $"{prefix}{layer}" : $"{network}.{prefix}{layer}";

    /// <summary>Reads activations lazily, running the networks on batches of rows.</summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        TextColumn.CheckSchema(Host, input.Schema, TextColumnName);
        return new BatchedColumnMapper<ReadOnlyMemory<char>, float[][]>(TextColumnName, OutputColumns(),
            (texts, rows) => ComputeRows(texts.Select(t => t.ToString()).ToList(), rows), _settings.BatchSize).Apply(input);
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>Activations of texts directly: per text, one vector per entry of <see cref="Columns"/> (token cap and empty texts as set in the options).</summary>
    /// <exception cref="ArgumentException">A text is empty and the policy is to throw; the message gives its index.</exception>
    public IReadOnlyList<float[][]> Compute(IReadOnlyList<string> texts)
    {
        Host.CheckValue(texts, nameof(texts));
        return ComputeRows(texts, Enumerable.Range(0, texts.Count).Select(i => (long)i).ToList());
    }

    /// <summary>Activations of texts that are rows <paramref name="rows"/> of the data (errors name those rows); empty ones get NaN vectors under the Missing policy.</summary>
    private IReadOnlyList<float[][]> ComputeRows(IReadOnlyList<string> texts, IReadOnlyList<long> rows)
    {
        var ids = texts.Select((t, i) => _settings.TextInput.Tokens(Tokenizer, t, rows[i], TextColumnName, "read")).ToList();
        var present = Enumerable.Range(0, ids.Count).Where(i => ids[i] is not null).ToList();
        var results = texts.Select(_ => new float[Columns.Count][]).ToArray();
        int column = 0;
        for (int k = 0; k < _networks.Count; k++)
        {
            var activations = _extractors[k].Extract(present.Select(i => ids[i]!).ToList(), _settings.Steering);
            int width = _networks[k].Model.Config.ModelDim;
            for (int l = 0; l < activations.Layers.Count; l++, column++)
            {
                for (int r = 0; r < texts.Count; r++) results[r][column] = Enumerable.Repeat(float.NaN, width).ToArray();
                for (int p = 0; p < present.Count; p++) results[present[p]][column] = activations.Values[l][p];
            }
        }
        return results;
    }

    /// <summary>Releases the networks this transformer loaded, or its share of the language model's network (released when no other transformer uses it).</summary>
    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
    }

    private IReadOnlyList<BatchedOutputColumn<float[][]>> OutputColumns() => Columns.Select((c, i) =>
        BatchedOutputColumn<float[][]>.Create(c.Name, new VectorDataViewType(NumberDataViewType.Single, _networks[0].Model.Config.ModelDim),
            (float[][] row, ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, row[i].Length);
                row[i].CopyTo(editor.Values);
                value = editor.Commit();
            })).ToList();

    private protected override VersionInfo ModelVersion => Version;

    // *** Binary format, version 0x00010001 ***
    //   string: text column; string: output prefix; int: position; int: batch size
    //   int: layer count (-1: all), then the layers
    //   int: network count, then per network: string name, long step (-1: none), section Network{k}.bin
    //   section Tokenizer.bin
    //   steering (SteeringPersistence)
    //   int ×3: text input policy (absent in 0x00010001)
    private protected override void SaveContents(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(_settings.TextColumnName);
        ctx.SaveNonEmptyString(_settings.OutputColumnPrefix);
        ctx.Writer.Write((int)_settings.Position);
        ctx.Writer.Write(_settings.BatchSize);
        ctx.Writer.Write(_settings.Layers?.Length ?? -1);
        foreach (int layer in _settings.Layers ?? []) ctx.Writer.Write(layer);
        ctx.Writer.Write(_networks.Count);
        for (int k = 0; k < _networks.Count; k++)
        {
            ctx.SaveNonEmptyString(_networks[k].Name);
            ctx.Writer.Write(_networks[k].Step ?? -1);
            SaveNetwork(ctx, $"Network{k}.bin", _networks[k].Model);
        }
        SaveTokenizer(ctx, Tokenizer);
        SteeringPersistence.Write(ctx.Writer, _settings.Steering);
        _settings.TextInput.Write(ctx.Writer);
    }

    // Factory for SignatureLoadModel.
    private static LayerActivationsTransformer Create(IHostEnvironment environment, ModelLoadContext ctx)
    {
        Contracts.CheckValue(environment, nameof(environment));
        environment.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(Version);
        string text = ctx.LoadNonEmptyString(), prefix = ctx.LoadNonEmptyString();
        var position = (ActivationPosition)ctx.Reader.ReadInt32();
        int batch = ctx.Reader.ReadInt32();
        int layerCount = ctx.Reader.ReadInt32();
        int[]? layers = layerCount < 0 ? null : Enumerable.Range(0, layerCount).Select(_ => ctx.Reader.ReadInt32()).ToArray();
        int count = ctx.Reader.ReadInt32();
        var networks = new List<ProbedNetwork>();
        try
        {
            for (int k = 0; k < count; k++)
            {
                string name = ctx.LoadNonEmptyString();
                long step = ctx.Reader.ReadInt64();
                networks.Add(new ProbedNetwork(name, step < 0 ? null : step, LoadNetwork(ctx, $"Network{k}.bin")));
            }
            var tokenizer = LoadTokenizer(ctx);
            var steering = SteeringPersistence.Read(ctx.Reader);
            var textInput = ctx.Header.ModelVerWritten >= VersionWithTextInput ? TextInputPolicy.Read(ctx.Reader) : new TextInputPolicy();
            return new LayerActivationsTransformer(environment, new LayerActivationsSettings(text, prefix, layers, position, batch, steering, textInput), networks, tokenizer,
                networks.Select(n => (IDisposable)n.Model).ToList());
        }
        catch
        {
            foreach (var n in networks) n.Model.Dispose();
            throw;
        }
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the one-row-at-a-time mapper.</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) =>
        new TextResultMapper<float[][]>(this, schema, TextColumnName, OutputColumns(), (text, row) => ComputeRows([text], [row])[0]);
}

/// <summary>One activation column: its name, network and layer.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Network">The network's name (<c>model</c> for a fitted model, else the checkpoint folder name).</param>
/// <param name="Step">The checkpoint's training step; null for a fitted model.</param>
/// <param name="Layer">The layer (0-based).</param>
public sealed record LayerActivationColumn(string Name, string Network, long? Step, int Layer);
