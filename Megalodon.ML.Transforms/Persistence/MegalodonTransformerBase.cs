using System.Security.Cryptography;
using Megalodon.ML.Checkpoints;
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

    /// <summary>The weights as safetensors bytes (through a temporary file: the writer is file-based and atomic).</summary>
    private protected static byte[] SerializeWeights(MegalodonModel model) => SerializeWeights(model.ReferenceStateDict());

    /// <summary>Any named tensors as safetensors bytes, as <see cref="SerializeWeights(MegalodonModel)"/>; the tensors are disposed.</summary>
    private protected static byte[] SerializeWeights(Dictionary<string, TorchSharp.torch.Tensor> tensors)
    {
        string path = Path.Combine(Path.GetTempPath(), $"megalodon-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, tensors);
            return File.ReadAllBytes(path);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            File.Delete(path);
        }
    }

    /// <summary>Tensors from safetensors bytes written by <see cref="SerializeWeights(MegalodonModel)"/>.</summary>
    private protected static Dictionary<string, TorchSharp.torch.Tensor> DeserializeWeights(byte[] weights)
    {
        string path = Path.Combine(Path.GetTempPath(), $"megalodon-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, weights);
            return SafeTensors.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Stores a whole network (config, SHA-256 and weights) in one named section.</summary>
    private protected static void SaveNetwork(ModelSaveContext ctx, string name, MegalodonModel model)
    {
        byte[] weights = SerializeWeights(model);
        SaveSection(ctx, name, writer =>
        {
            writer.Write(model.Config.ToJson());
            writer.Write(SHA256.HashData(weights));
            writer.Write(weights.Length);
            writer.Write(weights);
        });
    }

    /// <summary>Rebuilds a network stored by <see cref="SaveNetwork"/>, in eval mode.</summary>
    /// <exception cref="InvalidDataException">The weights' checksum does not match.</exception>
    private protected static MegalodonModel LoadNetwork(ModelLoadContext ctx, string name)
    {
        var (configJson, hash, weights) = LoadSection(ctx, name, reader => (reader.ReadString(), reader.ReadBytes(32), reader.ReadBytes(reader.ReadInt32())));
        if (!SHA256.HashData(weights).AsSpan().SequenceEqual(hash))
            throw new InvalidDataException($"The saved model is corrupt: the checksum of its weights ({name}) does not match.");
        var model = new MegalodonModel(MegalodonConfig.FromJson(configJson));
        var tensors = DeserializeWeights(weights);
        try
        {
            model.LoadReferenceStateDict(tensors);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
        model.eval();
        return model;
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
