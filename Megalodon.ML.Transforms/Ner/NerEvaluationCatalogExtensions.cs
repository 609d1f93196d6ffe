using Megalodon.ML.Ner;
using Microsoft.ML;
using Microsoft.ML.Data;
using Megalodon.ML.Transforms.Ner;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Scores NER predictions held in an <see cref="IDataView"/>: <c>mlContext.MulticlassClassification.EvaluateNer(predictions)</c>,
/// the NER counterpart of ML.NET's <c>Evaluate</c>.
/// </summary>
public static class NerEvaluationCatalogExtensions
{
    /// <summary>
    /// Entity-level precision, recall and F1 and token-level macro F1 (<see cref="NerMetrics"/>) of a predicted-label column
    /// against a label column. Both are vectors of keys with the label names as key values, one key per word; each column is
    /// read through its own key values, so they may order the labels differently. Key 0 (missing) reads as <c>O</c>, as in
    /// ML.NET's NER convention.
    /// </summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification</c>.</param>
    /// <param name="data">Rows with gold and predicted labels (the output of a fitted NER model's <c>Transform</c>).</param>
    /// <param name="labelColumnName">The gold label column.</param>
    /// <param name="predictedLabelColumnName">The predicted label column.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing, is not a vector of keys, or has no text key values.</exception>
    /// <exception cref="InvalidDataException">A row's vectors differ in length, a key is outside its column's key values, or a key value is not a BIO label.</exception>
    public static NerMetrics EvaluateNer(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = NerColumnNames.Label, string predictedLabelColumnName = NerColumnNames.PredictedLabel)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var label = KeyVectorColumn(data.Schema, labelColumnName, out string[] labelNames);
        var predicted = KeyVectorColumn(data.Schema, predictedLabelColumnName, out string[] predictedNames);

        var evaluator = new NerEvaluator();
        using var cursor = data.GetRowCursor([label, predicted]);
        var getLabel = cursor.GetGetter<VBuffer<uint>>(label);
        var getPredicted = cursor.GetGetter<VBuffer<uint>>(predicted);
        VBuffer<uint> labelKeys = default, predictedKeys = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            getLabel(ref labelKeys);
            getPredicted(ref predictedKeys);
            if (labelKeys.Length != predictedKeys.Length)
                throw new InvalidDataException($"Row {row}: column '{labelColumnName}' has {labelKeys.Length} labels but '{predictedLabelColumnName}' has {predictedKeys.Length}.");
            var gold = Names(labelKeys, labelNames, labelColumnName, row);
            var guess = Names(predictedKeys, predictedNames, predictedLabelColumnName, row);
            try
            {
                evaluator.Add(gold, guess);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"Row {row}: {e.Message}", e);
            }
            row++;
        }
        return evaluator.Compute();
    }

    private static DataViewSchema.Column KeyVectorColumn(DataViewSchema schema, string name, out string[] keyNames)
    {
        if (schema.GetColumnOrNull(name) is not { } column)
            throw new ArgumentOutOfRangeException(nameof(schema), $"The NER column '{name}' is missing.");
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType { RawType: var raw } } || raw != typeof(uint))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for column '{name}': expected a vector of UInt32 keys (one BIO label per word), got {column.Type}.");
        if (column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
            throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{name}' has no text key values, so its keys cannot be read as BIO labels; map the labels with MapValueToKey.");
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        keyNames = values.DenseValues().Select(v => v.ToString()).ToArray();
        return column;
    }

    private static string[] Names(VBuffer<uint> keys, string[] keyNames, string column, long row)
    {
        var names = new string[keys.Length];
        int i = 0;
        foreach (uint key in keys.DenseValues())
        {
            if (key > keyNames.Length)
                throw new InvalidDataException($"Row {row}: key {key} in column '{column}' is outside its {keyNames.Length} key values.");
            names[i++] = key == 0 ? BioTag.OutsideLabel : keyNames[key - 1];
        }
        return names;
    }
}
