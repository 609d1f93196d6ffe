using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

// Registrations that let a fresh MLContext rebuild the transformer from a saved model (and its row mapper, when a
// model is saved as a data-view chain).
[assembly: LoadableClass(typeof(TokenCountTransformer), null, typeof(SignatureLoadModel),
    TokenCountTransformer.UserName, TokenCountTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(TokenCountTransformer), null, typeof(SignatureLoadRowMapper),
    TokenCountTransformer.UserName, TokenCountTransformer.LoaderSignature)]

namespace Megalodon.ML.Transforms;

/// <summary>
/// The fitted <see cref="TokenCountEstimator"/>: adds an <see cref="int"/> column with the token count of a text
/// column. Saved models store the tokenizer, so a loaded model counts with the same one.
/// </summary>
public sealed class TokenCountTransformer : MegalodonTransformerBase
{
    internal const string LoaderSignature = "MegalodonTokenCount";
    internal const string UserName = "Megalodon Token Count";

    private static readonly VersionInfo Version = CreateVersionInfo("MEGTOKCT", LoaderSignature, typeof(TokenCountTransformer));

    internal TokenCountTransformer(IHostEnvironment environment, string outputColumnName, string inputColumnName, ModelTokenizer tokenizer)
        : base(environment, nameof(TokenCountTransformer))
    {
        Host.CheckNonWhiteSpace(outputColumnName, nameof(outputColumnName));
        Host.CheckNonWhiteSpace(inputColumnName, nameof(inputColumnName));
        Host.CheckValue(tokenizer, nameof(tokenizer));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Tokenizer = tokenizer;
    }

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The <see cref="int"/> column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The tokenizer that counts.</summary>
    public ModelTokenizer Tokenizer { get; }

    private protected override VersionInfo ModelVersion => Version;

    // *** Binary format, version 0x00010001 ***
    //   string: output column name
    //   string: input column name
    //   section Tokenizer.bin: TokenizerSpec (format version + JSON)
    private protected override void SaveContents(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(OutputColumnName);
        ctx.SaveNonEmptyString(InputColumnName);
        SaveTokenizer(ctx, Tokenizer);
    }

    // Factory for SignatureLoadModel.
    private static TokenCountTransformer Create(IHostEnvironment environment, ModelLoadContext ctx)
    {
        Contracts.CheckValue(environment, nameof(environment));
        environment.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(Version);
        string outputColumnName = ctx.LoadNonEmptyString();
        string inputColumnName = ctx.LoadNonEmptyString();
        return new TokenCountTransformer(environment, outputColumnName, inputColumnName, LoadTokenizer(ctx));
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the row mapper; checks the input column exists and is text.</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MegalodonMapperBase
    {
        private readonly TokenCountTransformer _parent;
        private readonly int _inputIndex;

        public Mapper(TokenCountTransformer parent, DataViewSchema inputSchema)
            : base(parent, inputSchema, nameof(Mapper))
        {
            _parent = parent;
            if (!inputSchema.TryGetColumnIndex(parent.InputColumnName, out _inputIndex))
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", parent.InputColumnName);
            var type = inputSchema[_inputIndex].Type;
            if (type is not TextDataViewType)
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", parent.InputColumnName, TextDataViewType.Instance.ToString(), type.ToString());
        }

        protected override IReadOnlyList<int> InputColumnIndices => [_inputIndex];

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
            => [new DataViewSchema.DetachedColumn(_parent.OutputColumnName, NumberDataViewType.Int32)];

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getText = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[_inputIndex]);
            var tokenizer = _parent.Tokenizer;
            ReadOnlyMemory<char> text = default;
            ValueGetter<int> getter = (ref int count) =>
            {
                getText(ref text);
                count = tokenizer.CountTokens(text.Span);
            };
            return getter;
        }
    }
}
