using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>Checks and reads the label and feature columns that probes, steering vectors and MI estimates use.</summary>
public static class ProbeColumns
{
    /// <summary>Throws unless <paramref name="schema"/> has a scalar Boolean column <paramref name="label"/>.</summary>
    /// <exception cref="ArgumentException">The column is missing or not Boolean; the message names it and says how to fix it.</exception>
    public static void CheckLabel(SchemaShape schema, string label)
    {
        if (!schema.TryFindColumn(label, out var column))
            throw new ArgumentException($"The label column '{label}' was not found; probes need a Boolean label column.");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not BooleanDataViewType)
            throw new ArgumentException($"The label column '{label}' is {column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " (vector)")}, not Boolean; convert it first (for example mlContext.Transforms.Conversion.ConvertType(\"{label}\", outputKind: DataKind.Boolean)).");
    }

    /// <summary>Throws unless <paramref name="schema"/> has a known-size float vector column <paramref name="name"/>.</summary>
    public static void CheckFeatures(SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw new ArgumentException($"The feature column '{name}' was not found.");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType is not NumberDataViewType { RawType: var raw } || raw != typeof(float))
            throw new ArgumentException($"The feature column '{name}' is {column.ItemType} ({column.Kind}), not a known-size vector of Single.");
    }

    /// <summary>Every known-size float vector column of <paramref name="schema"/>, in schema order.</summary>
    public static IReadOnlyList<string> FloatVectors(DataViewSchema schema) =>
        schema.Where(c => !c.IsHidden && c.Type is VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType n } && n.RawType == typeof(float))
              .Select(c => c.Name).ToList();

    /// <summary>Reads the labels and the given vector columns, in one pass over <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data has no rows.</exception>
    public static (bool[] Labels, List<float[]>[] Features) Read(IDataView data, string label, IReadOnlyList<string> features) =>
        Data.WorkerExceptions.Unwrapped(() => ReadWrapped(data, label, features));

    private static (bool[] Labels, List<float[]>[] Features) ReadWrapped(IDataView data, string label, IReadOnlyList<string> features)
    {
        CheckLabel(SchemaShape.Create(data.Schema), label);
        foreach (var f in features) CheckFeatures(SchemaShape.Create(data.Schema), f);
        var labels = new List<bool>();
        var values = features.Select(_ => new List<float[]>()).ToArray();
        var columns = features.Select(f => data.Schema[f]).Append(data.Schema[label]).ToList();
        using var cursor = data.GetRowCursor(columns);
        var getLabel = cursor.GetGetter<bool>(data.Schema[label]);
        var getters = features.Select(f => cursor.GetGetter<VBuffer<float>>(data.Schema[f])).ToArray();
        bool value = false;
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getLabel(ref value);
            labels.Add(value);
            for (int k = 0; k < getters.Length; k++)
            {
                getters[k](ref buffer);
                values[k].Add(buffer.DenseValues().ToArray());
            }
        }
        if (labels.Count == 0) throw new ArgumentException("The data has no rows.");
        return (labels.ToArray(), values);
    }
}
