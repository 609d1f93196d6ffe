using Megalodon.ML.Tokenization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Counts the tokens of a text column with a chosen tokenizer, into a new <see cref="int"/> column. Useful to inspect
/// a corpus before pretraining (document lengths in the model's own tokens) or to filter rows by length.
/// Create it with <c>mlContext.Transforms.Megalodon().CountTokens(...)</c>.
/// </summary>
public sealed class TokenCountEstimator : IEstimator<TokenCountTransformer>
{
    /// <summary>Options of <see cref="TokenCountEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The text column to tokenize.</summary>
        public string InputColumnName = "Text";

        /// <summary>The new <see cref="int"/> column holding the token count.</summary>
        public string OutputColumnName = "TokenCount";

        /// <summary>The tokenizer; null means <see cref="ModelTokenizer.Default"/> (GPT-2). It must be saveable to save the model.</summary>
        public ModelTokenizer? Tokenizer;
    }

    private readonly IHost _host;
    private readonly string _inputColumnName;
    private readonly string _outputColumnName;
    private readonly ModelTokenizer _tokenizer;

    internal TokenCountEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(TokenCountEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.InputColumnName, nameof(options.InputColumnName));
        _host.CheckNonWhiteSpace(options.OutputColumnName, nameof(options.OutputColumnName));
        _inputColumnName = options.InputColumnName;
        _outputColumnName = options.OutputColumnName;
        _tokenizer = options.Tokenizer ?? ModelTokenizer.Default;
    }

    /// <summary>The input schema plus the <see cref="int"/> count column.</summary>
    /// <param name="inputSchema">The shape of the data to be transformed.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text; the message names the column.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        if (!inputSchema.TryFindColumn(_inputColumnName, out var column))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _inputColumnName);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _inputColumnName, TextDataViewType.Instance.ToString(), column.GetTypeString());

        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_outputColumnName] = new SchemaShape.Column(_outputColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Int32, false);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Checks the schema and returns the transformer; counting needs no training.</summary>
    /// <param name="input">The data; only its schema is read.</param>
    public TokenCountTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new TokenCountTransformer(_host, _outputColumnName, _inputColumnName, _tokenizer);
    }
}
