using Megalodon.Cli.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.Cli.Commands;

/// <summary>
/// Reads a labelled CSV such as the TracingLLM probing sets (<c>statement,label</c> with a header, quoted fields,
/// labels 0/1 or true/false) into a data view with a <c>Text</c> and a Boolean <c>Label</c> column.
/// </summary>
internal static class LabelledTextFile
{
    /// <summary>The text column of the loaded view.</summary>
    public const string TextColumn = "Text";

    /// <summary>The Boolean label column of the loaded view.</summary>
    public const string LabelColumn = "Label";

    /// <summary>Loads <paramref name="path"/>, finding the two columns by their header names.</summary>
    /// <exception cref="CommandFailedException">The file is missing, or its header lacks a named column.</exception>
    public static (IDataView Data, long Rows) Load(MLContext ml, string path, string textHeader, string labelHeader, int maxRows)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"data file '{path}' not found.");
        var header = (File.ReadLines(path).FirstOrDefault() ?? "").Split(',').Select(h => h.Trim().Trim('"')).ToList();
        int Index(string name) => header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0
            ? i : throw new CommandFailedException($"data file '{path}' has no column '{name}' in its header ({string.Join(", ", header)}).");
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            AllowQuoting = true,
            Columns = [new TextLoader.Column(TextColumn, DataKind.String, Index(textHeader)), new TextLoader.Column(LabelColumn, DataKind.Boolean, Index(labelHeader))],
        });
        IDataView data = loader.Load(path);
        // Rows with an empty text have no activations.
        data = ml.Data.FilterByCustomPredicate<TextOnly>(data, r => string.IsNullOrWhiteSpace(r.Text));
        if (maxRows > 0) data = ml.Data.TakeRows(data, maxRows);
        long rows = data.GetColumn<bool>(LabelColumn).LongCount();
        if (rows < 2) throw new CommandFailedException($"data file '{path}' holds {rows} usable rows; at least two are needed.");
        return (data, rows);
    }

    private sealed class TextOnly
    {
        public string Text { get; set; } = "";
    }
}
