using Megalodon.ML.Ner;
using Microsoft.ML;
using Microsoft.ML.Data;
using Megalodon.ML.Transforms.Ner;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Loads NER data into an <see cref="IDataView"/> in ML.NET's NER convention: <c>mlContext.Data.LoadFromConll(path)</c>.
/// </summary>
/// <remarks>
/// <para>Columns (names in <see cref="NerColumnNames"/>):</para>
/// <list type="bullet">
/// <item><c>Sentence</c>: text, the words joined by single spaces (ML.NET's NER trainer splits it on whitespace again).</item>
/// <item><c>Words</c>: a variable-length text vector of the words.</item>
/// <item><c>Label</c>: a variable-length vector of <see cref="KeyDataViewType"/> (uint) over the label set, one key per word,
/// with the label names as the <c>KeyValues</c> annotation, so <c>MapKeyToValue</c> turns keys back into label text.
/// Key <c>i + 1</c> is <see cref="NerLabelSet.Labels"/>[i]; key 1 is <c>O</c>.</item>
/// </list>
/// <para>Pass the training split's <see cref="NerLabelSet"/> when loading validation and test splits, so the keys agree.</para>
/// </remarks>
public static class ConllDataCatalogExtensions
{
    /// <summary>Reads a CoNLL BIO file (see <see cref="ConllReader"/> for the accepted format) into an <see cref="IDataView"/>.</summary>
    /// <param name="catalog"><c>mlContext.Data</c>.</param>
    /// <param name="path">The CoNLL file.</param>
    /// <param name="labelSet">The labels to key over; null for the labels of this file.</param>
    /// <exception cref="NerDataException">A line of the file is malformed.</exception>
    /// <exception cref="ArgumentException">A label of the file is not in <paramref name="labelSet"/>.</exception>
    public static IDataView LoadFromConll(this DataOperationsCatalog catalog, string path, NerLabelSet? labelSet = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.LoadFromNerSentences(ConllReader.ReadFile(path), labelSet);
    }

    /// <summary>
    /// Reads a CoNLL BIO file with reader options, e.g. <c>new ConllReaderOptions { Lenient = true }</c> to repair empty
    /// words and words holding whitespace (one word per line is kept, so gold spans do not move).
    /// </summary>
    /// <param name="catalog"><c>mlContext.Data</c>.</param>
    /// <param name="path">The CoNLL file.</param>
    /// <param name="options">Strict or lenient reading.</param>
    /// <param name="read">The sentences and every repaired line (<see cref="ConllReadResult.Summary"/> gives counts and line numbers).</param>
    /// <param name="labelSet">The labels to key over; null for the labels of this file.</param>
    /// <exception cref="NerDataException">A line of the file is malformed beyond what the options repair.</exception>
    /// <exception cref="ArgumentException">A label of the file is not in <paramref name="labelSet"/>.</exception>
    public static IDataView LoadFromConll(this DataOperationsCatalog catalog, string path, ConllReaderOptions options, out ConllReadResult read, NerLabelSet? labelSet = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        read = ConllReader.ReadFile(path, options);
        return catalog.LoadFromNerSentences(read.Sentences, labelSet);
    }

    /// <summary>Puts sentences into an <see cref="IDataView"/> with the NER columns.</summary>
    /// <param name="catalog"><c>mlContext.Data</c>.</param>
    /// <param name="sentences">The sentences; read once, here.</param>
    /// <param name="labelSet">The labels to key over; null for the labels of <paramref name="sentences"/>.</param>
    /// <exception cref="ArgumentException">A label is not in <paramref name="labelSet"/>.</exception>
    public static IDataView LoadFromNerSentences(this DataOperationsCatalog catalog, IEnumerable<NerSentence> sentences, NerLabelSet? labelSet = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(sentences);
        var all = sentences as IReadOnlyList<NerSentence> ?? sentences.ToList();
        var labels = labelSet ?? NerLabelSet.FromSentences(all);
        var rows = new NerRow[all.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            int[] ids;
            try
            {
                ids = labels.Encode(all[i]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Sentence {i}: {e.Message}", nameof(sentences), e);
            }
            rows[i] = new NerRow
            {
                Sentence = all[i].Text,
                Words = all[i].Words.ToArray(),
                Label = Array.ConvertAll(ids, id => (uint)(id + 1)),
            };
        }
        return catalog.LoadFromEnumerable(rows, Schema(labels));
    }

    private static SchemaDefinition Schema(NerLabelSet labels)
    {
        var schema = SchemaDefinition.Create(typeof(NerRow));
        var label = schema[nameof(NerRow.Label)];
        label.ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), labels.Count));
        var names = new VBuffer<ReadOnlyMemory<char>>(labels.Count, labels.Labels.Select(l => l.AsMemory()).ToArray());
        label.AddAnnotation(AnnotationUtils.Kinds.KeyValues, names, new VectorDataViewType(TextDataViewType.Instance, labels.Count));
        return schema;
    }

    private sealed class NerRow
    {
        [ColumnName(NerColumnNames.Sentence)]
        public string Sentence { get; set; } = string.Empty;

        [ColumnName(NerColumnNames.Words)]
        public string[] Words { get; set; } = [];

        [ColumnName(NerColumnNames.Label)]
        public uint[] Label { get; set; } = [];
    }
}
