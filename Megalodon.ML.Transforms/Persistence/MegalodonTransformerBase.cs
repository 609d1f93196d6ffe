using System.Security.Cryptography;
using Megalodon.ML.Checkpoints;
using Megalodon.ML.IO;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Base of Megalodon.ML's fitted transformers. It writes the model header through ML.NET's own persistence, so
/// <c>mlContext.Model.Save</c> stores our transformers and a fresh <c>new MLContext().Model.Load</c> rebuilds them
/// (found through their <c>[assembly: LoadableClass]</c> registration and the loader assembly name in the header).
/// </summary>
/// <remarks>
/// A derived transformer supplies its <see cref="ModelVersion"/> (from <see cref="CreateVersionInfo"/>), writes its
/// fields in <see cref="SaveContents"/>, and reads them back in a static <c>Create(IHostEnvironment, ModelLoadContext)</c>
/// that starts with <c>ctx.CheckAtModel(version)</c>. Large or structured state (tensors, tokenizers) goes into named
/// binary sections (<see cref="SaveSection"/>/<see cref="LoadSection{T}"/>), stored as separate entries of the model zip.
/// </remarks>
public abstract class MegalodonTransformerBase : RowToRowTransformerBase
{
    /// <summary>The binary section holding a transformer's tokenizer.</summary>
    private protected const string TokenizerSection = "Tokenizer.bin";

    private protected MegalodonTransformerBase(IHostEnvironment environment, string registrationName)
        : base(Contracts.CheckRef(environment, nameof(environment)).Register(registrationName))
    {
    }

    /// <summary>The header written at save time and checked at load time.</summary>
    private protected abstract VersionInfo ModelVersion { get; }

    /// <summary>Writes the transformer's fields after the header; <c>ctx.Writer</c> and the section helpers are available.</summary>
    private protected abstract void SaveContents(ModelSaveContext ctx);

    /// <summary>Writes the header, then the contents. Sealed so that no transformer forgets the header.</summary>
    protected sealed override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(ModelVersion);
        SaveContents(ctx);
    }

    /// <summary>
    /// A model header whose loader is <paramref name="transformerType"/>'s assembly, so loading needs no
    /// <c>ComponentCatalog.RegisterAssembly</c> call.
    /// </summary>
    /// <param name="modelSignature">Exactly 8 ASCII characters identifying the format, e.g. <c>MEGTOKCT</c>.</param>
    /// <param name="loaderSignature">The name the <c>LoadableClass</c> registration uses.</param>
    /// <param name="transformerType">The transformer; its assembly is recorded as the loader.</param>
    /// <param name="version">The format version written now.</param>
    /// <param name="oldestReadableBy">The oldest reader version that can read what is written now.</param>
    /// <param name="oldestWeCanRead">The oldest written version this code can still read.</param>
    private protected static VersionInfo CreateVersionInfo(string modelSignature, string loaderSignature, Type transformerType,
        uint version = 0x00010001, uint? oldestReadableBy = null, uint? oldestWeCanRead = null)
    {
        if (modelSignature is not { Length: 8 })
            throw new ArgumentException($"A model signature has exactly 8 characters; '{modelSignature}' does not.", nameof(modelSignature));
        // Note the argument order of VersionInfo: the assembly name comes before the loader signature.
        return new VersionInfo(modelSignature, version, oldestReadableBy ?? version, oldestWeCanRead ?? version,
            loaderAssemblyName: transformerType.Assembly.FullName, loaderSignature: loaderSignature);
    }

    /// <summary>Writes a named binary section (a separate entry next to the model's own stream).</summary>
    /// <param name="ctx">The save context given to <see cref="SaveContents"/>.</param>
    /// <param name="name">The section name, unique within the transformer, e.g. <c>Weights.bin</c>.</param>
    /// <param name="write">Writes the section's bytes.</param>
    private protected static void SaveSection(ModelSaveContext ctx, string name, Action<BinaryWriter> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(write);
        ctx.SaveBinaryStream(name, write);
    }

    /// <summary>Reads a named binary section written by <see cref="SaveSection"/>.</summary>
    /// <param name="ctx">The load context given to the transformer's <c>Create</c>.</param>
    /// <param name="name">The section name.</param>
    /// <param name="read">Reads the section's bytes into a value.</param>
    /// <exception cref="InvalidDataException">The model has no such section.</exception>
    private protected static T LoadSection<T>(ModelLoadContext ctx, string name, Func<BinaryReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        T? value = default;
        bool found = false;
        if (!ctx.TryLoadBinaryStream(name, reader => { value = read(reader); found = true; }) || !found)
            throw new InvalidDataException($"The saved model has no '{name}' section in '{ctx.Directory}'; the file is damaged or was written by an incompatible version.");
        return value!;
    }

    /// <summary>Stores a tokenizer in the <see cref="TokenizerSection"/> section.</summary>
    /// <exception cref="NotSupportedException">The tokenizer cannot be described for saving (see <see cref="ModelTokenizer.CanSave"/>).</exception>
    private protected static void SaveTokenizer(ModelSaveContext ctx, ModelTokenizer tokenizer)
    {
        var spec = tokenizer.ToSpec(); // throws before anything is written when the tokenizer is not saveable
        SaveSection(ctx, TokenizerSection, spec.WriteTo);
    }

    /// <summary>Rebuilds the tokenizer stored by <see cref="SaveTokenizer"/>.</summary>
    private protected static ModelTokenizer LoadTokenizer(ModelLoadContext ctx)
        => ModelTokenizer.FromSpec(LoadSection(ctx, TokenizerSection, TokenizerSpec.ReadFrom));

    /// <summary>Suffix of the section holding the SHA-256 of a tensor section.</summary>
    private protected const string ChecksumSectionSuffix = ".sha256";

    /// <summary>The safetensors metadata key under which a network section stores its config JSON.</summary>
    private protected const string ConfigMetadataKey = "megalodon_config";

    /// <summary>
    /// Streams named tensors into section <paramref name="name"/> as a plain safetensors file (no prefix: the zip
    /// entry is a file any safetensors reader opens), one tensor and one chunk at a time, hashing as it writes; the
    /// SHA-256 goes into the section <c>&lt;name&gt;.sha256</c>. No byte array of the weights is made.
    /// </summary>
    /// <param name="ctx">The save context.</param>
    /// <param name="name">The section name, e.g. <c>Weights.safetensors</c>.</param>
    /// <param name="tensors">Name → tensor (any device; each is copied to the CPU on its own when needed).</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    private protected static void SaveTensorsSection(ModelSaveContext ctx, string name, IEnumerable<KeyValuePair<string, TorchSharp.torch.Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[]? hash = null;
        SaveSection(ctx, name, writer =>
        {
            writer.Flush();
            using var hashing = new HashingWriteStream(writer.BaseStream);
            SafeTensors.Save(hashing, tensors, metadata);
            hashing.Flush();
            hash = hashing.CurrentHash();
        });
        SaveSection(ctx, name + ChecksumSectionSuffix, writer => writer.Write(hash!));
    }

    /// <summary>Streams a model's reference state dict into a section (see <see cref="SaveTensorsSection"/>), without copying the weights first.</summary>
    private protected static void SaveWeightsSection(ModelSaveContext ctx, string name, MegalodonModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        SaveTensorsSection(ctx, name, model.ReferenceTensorViews(), metadata);
    }

    /// <summary>
    /// Opens section <paramref name="name"/> written by <see cref="SaveTensorsSection"/>, checks it against its
    /// <c>.sha256</c> section (streamed, no copy in memory), and hands a reader over it to <paramref name="read"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A section is missing, the checksum differs, or the safetensors data is malformed.</exception>
    private protected static T LoadTensorsSection<T>(ModelLoadContext ctx, string name, Func<SafeTensorsReader, T> read)
    {
        byte[] expected = LoadSection(ctx, name + ChecksumSectionSuffix, reader => reader.ReadBytes(32));
        return LoadTensorsSection(ctx, name, expected, legacyLengthPrefix: false, read);
    }

    /// <summary>
    /// Opens a tensor section given its expected SHA-256. <paramref name="legacyLengthPrefix"/> reads the format of
    /// models saved before the section became a plain safetensors file (a 4-byte length, then the file).
    /// </summary>
    private protected static T LoadTensorsSection<T>(ModelLoadContext ctx, string name, byte[] expectedHash, bool legacyLengthPrefix, Func<SafeTensorsReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        string where = $"{ctx.Directory}/{name}";
        return LoadSection(ctx, name, reader =>
        {
            var stream = reader.BaseStream;
            long start = 0;
            if (legacyLengthPrefix)
            {
                stream.Position = 0;
                long length = reader.ReadInt32();
                start = 4;
                if (length != stream.Length - start)
                    throw new InvalidDataException($"The saved model is corrupt: section '{where}' declares {length} bytes but holds {stream.Length - start}.");
            }
            using var window = new StreamWindow(stream, start);
            window.Position = 0;
            if (!SHA256.HashData(window).AsSpan().SequenceEqual(expectedHash))
                throw new InvalidDataException($"The saved model is corrupt: the checksum of '{where}' does not match.");
            using var tensors = SafeTensorsReader.Open(window, where, leaveOpen: true);
            return read(tensors);
        });
    }

    /// <summary>
    /// Reads a tensor section into a module: <paramref name="load"/> gets every tensor of the section, and they are
    /// disposed afterwards. <paramref name="legacyHash"/> non-null reads the old layout (hash in the main stream,
    /// 4-byte length before the weights).
    /// </summary>
    private protected static void LoadStateSection(ModelLoadContext ctx, string name, byte[]? legacyHash,
        Action<Dictionary<string, TorchSharp.torch.Tensor>> load)
    {
        Func<SafeTensorsReader, bool> read = reader =>
        {
            var tensors = reader.ReadAll();
            try { load(tensors); }
            finally { foreach (var t in tensors.Values) t.Dispose(); }
            return true;
        };
        if (legacyHash is null) LoadTensorsSection(ctx, name, read);
        else LoadTensorsSection(ctx, name, legacyHash, legacyLengthPrefix: true, read);
    }

    /// <summary>Builds a model of <paramref name="config"/> and fills it from a reader, straight into its parameters; disposes the model on failure.</summary>
    private protected static MegalodonModel BuildModel(MegalodonConfig config, SafeTensorsReader weights)
    {
        var model = new MegalodonModel(config);
        try
        {
            model.LoadReferenceWeights(weights);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Stores a whole network in one named section: a plain safetensors file with the config JSON in its metadata.</summary>
    private protected static void SaveNetwork(ModelSaveContext ctx, string name, MegalodonModel model) =>
        SaveWeightsSection(ctx, name, model, new Dictionary<string, string> { [ConfigMetadataKey] = model.Config.ToJson() });

    /// <summary>Rebuilds a network stored by <see cref="SaveNetwork"/>, in eval mode.</summary>
    /// <param name="ctx">The load context.</param>
    /// <param name="name">The section name.</param>
    /// <param name="legacy">Whether the model was saved in the older layout (config string, SHA-256, length-prefixed weights in one section).</param>
    /// <exception cref="InvalidDataException">The weights' checksum does not match or the section is malformed.</exception>
    private protected static MegalodonModel LoadNetwork(ModelLoadContext ctx, string name, bool legacy = false)
    {
        if (!legacy)
            return LoadTensorsSection(ctx, name, reader =>
            {
                if (!reader.Metadata.TryGetValue(ConfigMetadataKey, out var json))
                    throw new InvalidDataException($"The saved model is corrupt: network section '{name}' holds no '{ConfigMetadataKey}' metadata.");
                return BuildModel(MegalodonConfig.FromJson(json), reader);
            });
        return LoadSection(ctx, name, reader =>
        {
            var config = MegalodonConfig.FromJson(reader.ReadString());
            byte[] hash = reader.ReadBytes(32);
            long length = reader.ReadInt32();
            var stream = reader.BaseStream;
            using var window = new StreamWindow(stream, stream.Position);
            if (length != window.Length)
                throw new InvalidDataException($"The saved model is corrupt: network section '{name}' declares {length} bytes of weights but holds {window.Length}.");
            if (!SHA256.HashData(window).AsSpan().SequenceEqual(hash))
                throw new InvalidDataException($"The saved model is corrupt: the checksum of its weights ({name}) does not match.");
            using var weights = SafeTensorsReader.Open(window, $"{ctx.Directory}/{name}", leaveOpen: true);
            return BuildModel(config, weights);
        });
    }

    /// <summary>
    /// Row mapper base for our transformers: saving a mapper saves its transformer, and any active output needs
    /// all of <see cref="InputColumnIndices"/>.
    /// </summary>
    private protected abstract class MegalodonMapperBase : MapperBase
    {
        private readonly MegalodonTransformerBase _parent;

        protected MegalodonMapperBase(MegalodonTransformerBase parent, DataViewSchema inputSchema, string name)
            : base(parent.Host.Register(name), inputSchema, parent)
        {
            _parent = parent;
        }

        /// <summary>Indices in the input schema of the columns the outputs are computed from.</summary>
        protected abstract IReadOnlyList<int> InputColumnIndices { get; }

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool anyActive = Enumerable.Range(0, OutputColumns.Value.Length).Any(activeOutput);
            var needed = anyActive ? InputColumnIndices.ToHashSet() : [];
            return needed.Contains;
        }

        protected override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);
    }

    /// <summary>
    /// The one-row-at-a-time mapper of a transformer that computes a result per text and spreads it over output
    /// columns (the batched <see cref="BatchedColumnMapper{TInput, TResult}"/> does the same for whole data views).
    /// All outputs of a row share one computation, cached by row position.
    /// </summary>
    private protected sealed class TextResultMapper<TResult> : MegalodonMapperBase where TResult : class
    {
        private static readonly System.Reflection.MethodInfo TypedGetterMethod =
            typeof(TextResultMapper<TResult>).GetMethod(nameof(TypedGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        private readonly int _inputIndex;
        private readonly IReadOnlyList<BatchedOutputColumn<TResult>> _outputs;
        private readonly Func<string, long, TResult> _compute;

        /// <param name="parent">The transformer.</param>
        /// <param name="inputSchema">The input schema.</param>
        /// <param name="inputColumn">The text column.</param>
        /// <param name="outputs">The columns added.</param>
        /// <param name="compute">Computes a row's result from its text and its row index in the data (for errors that name the row).</param>
        public TextResultMapper(MegalodonTransformerBase parent, DataViewSchema inputSchema, string inputColumn,
            IReadOnlyList<BatchedOutputColumn<TResult>> outputs, Func<string, long, TResult> compute)
            : base(parent, inputSchema, nameof(TextResultMapper<TResult>))
        {
            _inputIndex = Text.TextColumn.CheckSchema(Host, inputSchema, inputColumn);
            _outputs = outputs;
            _compute = compute;
        }

        protected override IReadOnlyList<int> InputColumnIndices => [_inputIndex];

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            _outputs.Select(c => new DataViewSchema.DetachedColumn(c.Name, c.Type, c.Annotations)).ToArray();

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            // One cache per input row (a cursor or a PredictionEngine's row), shared by all output getters made over it:
            // ML.NET asks for each output column's getter separately, and each would otherwise run the model again.
            var cache = _rowCaches.GetValue(input, row => new RowResultCache(row, row.GetGetter<ReadOnlyMemory<char>>(row.Schema[_inputIndex]), _compute));
            var output = _outputs[iinfo];
            return (Delegate)TypedGetterMethod.MakeGenericMethod(output.ValueType).Invoke(null, [output.Read, (Func<TResult>)cache.Current])!;
        }

        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DataViewRow, RowResultCache> _rowCaches = new();

        /// <summary>The result of the row an input row is on, computed once per row position.</summary>
        private sealed class RowResultCache(DataViewRow input, ValueGetter<ReadOnlyMemory<char>> getText, Func<string, long, TResult> compute)
        {
            private long _position = -1;
            private TResult? _result;

            public TResult Current()
            {
                if (_result is null || _position != input.Position)
                {
                    ReadOnlyMemory<char> text = default;
                    getText(ref text);
                    _result = compute(text.ToString(), input.Position);
                    _position = input.Position;
                }
                return _result;
            }
        }

        private static ValueGetter<TValue> TypedGetter<TValue>(Delegate read, Func<TResult> current)
        {
            var typed = (BatchedReader<TResult, TValue>)read;
            return (ref TValue value) => typed(current(), ref value);
        }
    }
}
