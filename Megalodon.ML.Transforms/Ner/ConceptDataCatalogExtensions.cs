using Megalodon.ML.Ner;
using Microsoft.ML;
using Microsoft.ML.Data;
using Megalodon.ML.Transforms.Ner;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Concept-annotated sentences as an <see cref="IDataView"/> (<c>mlContext.Data.LoadFromConceptJsonl(path)</c>) and back, with the
/// columns of <see cref="ConceptColumnNames"/>.
/// </summary>
public static class ConceptDataCatalogExtensions
{
    /// <summary>Reads a concept JSONL file (see <see cref="ConceptJsonl"/>) into an <see cref="IDataView"/>.</summary>
    /// <param name="catalog"><c>mlContext.Data</c>.</param>
    /// <param name="path">The JSONL file.</param>
    /// <param name="unit">What the file's offsets count; the data view always holds UTF-16 offsets.</param>
    /// <exception cref="NerDataException">A line of the file is malformed.</exception>
    public static IDataView LoadFromConceptJsonl(this DataOperationsCatalog catalog, string path, ConceptOffsetUnit unit = ConceptOffsetUnit.Utf16)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.LoadFromConceptSentences(ConceptJsonl.ReadFile(path, unit));
    }

    /// <summary>Puts concept-annotated sentences into an <see cref="IDataView"/>.</summary>
    /// <param name="catalog"><c>mlContext.Data</c>.</param>
    /// <param name="sentences">The sentences; read once, here.</param>
    public static IDataView LoadFromConceptSentences(this DataOperationsCatalog catalog, IEnumerable<ConceptAnnotatedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(sentences);
        var rows = sentences.Select(s => new ConceptRow
        {
            Text = s.Text,
            EntityStarts = s.Entities.Select(e => e.Start).ToArray(),
            EntityEnds = s.Entities.Select(e => e.End).ToArray(),
            Concepts = s.Entities.Select(e => e.Concept).ToArray(),
            Descriptions = s.Entities.Select(e => e.Description ?? string.Empty).ToArray(),
        }).ToArray();
        return catalog.LoadFromEnumerable(rows);
    }

    /// <summary>
    /// Reads concept-annotated sentences out of an <see cref="IDataView"/> with the columns of <see cref="ConceptColumnNames"/>
    /// (the descriptions column may be absent; an empty description means none).
    /// </summary>
    /// <param name="data">The data.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names it.</exception>
    /// <exception cref="InvalidDataException">A row's vectors differ in length, or a span is invalid; the message gives the row.</exception>
    public static IReadOnlyList<ConceptAnnotatedSentence> ReadConceptSentences(this IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var text = Column(schema, ConceptColumnNames.Text, TextDataViewType.Instance, vector: false);
        var starts = Column(schema, ConceptColumnNames.EntityStarts, NumberDataViewType.Int32, vector: true);
        var ends = Column(schema, ConceptColumnNames.EntityEnds, NumberDataViewType.Int32, vector: true);
        var concepts = Column(schema, ConceptColumnNames.Concepts, TextDataViewType.Instance, vector: true);
        var descriptions = schema.GetColumnOrNull(ConceptColumnNames.Descriptions) is null
            ? (DataViewSchema.Column?)null
            : Column(schema, ConceptColumnNames.Descriptions, TextDataViewType.Instance, vector: true);

        var columns = new List<DataViewSchema.Column> { text, starts, ends, concepts };
        if (descriptions is { } d)
            columns.Add(d);
        var sentences = new List<ConceptAnnotatedSentence>();
        using var cursor = data.GetRowCursor(columns);
        var getText = cursor.GetGetter<ReadOnlyMemory<char>>(text);
        var getStarts = cursor.GetGetter<VBuffer<int>>(starts);
        var getEnds = cursor.GetGetter<VBuffer<int>>(ends);
        var getConcepts = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(concepts);
        var getDescriptions = descriptions is { } column ? cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column) : null;
        ReadOnlyMemory<char> textValue = default;
        VBuffer<int> startValues = default, endValues = default;
        VBuffer<ReadOnlyMemory<char>> conceptValues = default, descriptionValues = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            getText(ref textValue);
            getStarts(ref startValues);
            getEnds(ref endValues);
            getConcepts(ref conceptValues);
            getDescriptions?.Invoke(ref descriptionValues);
            int count = conceptValues.Length;
            if (startValues.Length != count || endValues.Length != count || (getDescriptions is not null && descriptionValues.Length != count))
                throw new InvalidDataException($"Row {row}: the entity columns differ in length ({ConceptColumnNames.EntityStarts} {startValues.Length}, {ConceptColumnNames.EntityEnds} {endValues.Length}, {ConceptColumnNames.Concepts} {count}{(getDescriptions is null ? "" : $", {ConceptColumnNames.Descriptions} {descriptionValues.Length}")}).");
            var startArray = startValues.DenseValues().ToArray();
            var endArray = endValues.DenseValues().ToArray();
            var conceptArray = conceptValues.DenseValues().Select(c => c.ToString()).ToArray();
            var descriptionArray = getDescriptions is null ? null : descriptionValues.DenseValues().Select(c => c.ToString()).ToArray();
            var spans = Enumerable.Range(0, count).Select(i => new ConceptSpan(startArray[i], endArray[i], conceptArray[i],
                descriptionArray is null || descriptionArray[i].Length == 0 ? null : descriptionArray[i]));
            try
            {
                sentences.Add(new ConceptAnnotatedSentence(textValue.ToString(), spans));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Row {row}: {e.Message}", e);
            }
            row++;
        }
        return sentences;
    }

    private static DataViewSchema.Column Column(DataViewSchema schema, string name, DataViewType itemType, bool vector)
    {
        string expected = vector ? $"Vector<{itemType}>" : $"{itemType}";
        if (schema.GetColumnOrNull(name) is not { } column)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Concept data needs the column '{name}' ({expected}); it is missing.");
        bool matches = vector
            ? column.Type is VectorDataViewType v && v.ItemType.Equals(itemType)
            : column.Type.Equals(itemType);
        if (!matches)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for column '{name}': expected {expected}, got {column.Type}.");
        return column;
    }

    private sealed class ConceptRow
    {
        [ColumnName(ConceptColumnNames.Text)]
        public string Text { get; set; } = string.Empty;

        [ColumnName(ConceptColumnNames.EntityStarts)]
        public int[] EntityStarts { get; set; } = [];

        [ColumnName(ConceptColumnNames.EntityEnds)]
        public int[] EntityEnds { get; set; } = [];

        [ColumnName(ConceptColumnNames.Concepts)]
        public string[] Concepts { get; set; } = [];

        [ColumnName(ConceptColumnNames.Descriptions)]
        public string[] Descriptions { get; set; } = [];
    }
}
