using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: Megalodon.RoundTripHost <model.zip> <input column> <output column> <text>...
// Loads the model with a fresh MLContext (no assembly registered by hand), runs each text through it as one row of
// a single text column, and prints the output column's value for each row, one per line.
if (args.Length < 3)
{
    Console.Error.WriteLine("Usage: Megalodon.RoundTripHost <model.zip> <input column> <output column> <text>...");
    return 2;
}
string modelPath = args[0], inputColumn = args[1], outputColumn = args[2];
string[] texts = args[3..];

var mlContext = new MLContext(seed: 1);
ITransformer model = mlContext.Model.Load(modelPath, out _);
Console.Error.WriteLine($"loaded: {model.GetType().Name}");

// One text column, named as the model expects.
var schema = SchemaDefinition.Create(typeof(TextRow));
schema[0].ColumnName = inputColumn;
IDataView data = mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }), schema);
IDataView output = model.Transform(data);

var column = output.Schema[outputColumn];
var preview = output.Preview(maxRows: texts.Length);
foreach (var row in preview.RowView)
{
    object? value = row.Values.Last(kv => kv.Key == column.Name).Value; // the last is the visible one when a name repeats
    Console.WriteLine(Convert.ToString(value, CultureInfo.InvariantCulture));
}
return 0;

/// <summary>A row with one text value.</summary>
internal sealed class TextRow
{
    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}
