using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms.Text;

/// <summary>Checks and reads a text column, with errors that name the column (and the row, for bad values).</summary>
internal static class TextColumn
{
    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="name"/>.</summary>
    public static void CheckSchema(IExceptionContext host, SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw host.ExceptSchemaMismatch(nameof(schema), "text", name);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw host.ExceptSchemaMismatch(nameof(schema), "text", name, TextDataViewType.Instance.ToString(), column.GetTypeString());
    }

    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="name"/>; returns its index.</summary>
    public static int CheckSchema(IExceptionContext host, DataViewSchema schema, string name)
    {
        if (!schema.TryGetColumnIndex(name, out int index))
            throw host.ExceptSchemaMismatch(nameof(schema), "text", name);
        if (schema[index].Type is not TextDataViewType)
            throw host.ExceptSchemaMismatch(nameof(schema), "text", name, TextDataViewType.Instance.ToString(), schema[index].Type.ToString());
        return index;
    }

    /// <summary>
    /// Reads every value of the text column. Empty or all-whitespace values and an empty data view are errors:
    /// a language model cannot learn from them, and dropping them silently would hide a data problem.
    /// </summary>
    /// <param name="host">For errors.</param>
    /// <param name="data">The data.</param>
    /// <param name="name">The text column.</param>
    /// <param name="role">What the data is for, used in messages (for example "training").</param>
    public static List<string> ReadAll(IExceptionContext host, IDataView data, string name, string role) =>
        Data.WorkerExceptions.Unwrapped(() => ReadAllWrapped(host, data, name, role));

    private static List<string> ReadAllWrapped(IExceptionContext host, IDataView data, string name, string role)
    {
        int index = CheckSchema(host, data.Schema, name);
        var texts = new List<string>();
        using var cursor = data.GetRowCursor([data.Schema[index]]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[index]);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            if (value.Span.IsWhiteSpace())
                throw new ArgumentException($"Column '{name}' of the {role} data is empty or only whitespace at row {texts.Count}. Remove such rows (for example with mlContext.Data.FilterByCustomPredicate) before fitting.");
            texts.Add(value.ToString());
        }
        if (texts.Count == 0)
            throw new ArgumentException($"The {role} data has no rows: column '{name}' holds no text to learn from.");
        return texts;
    }
}
