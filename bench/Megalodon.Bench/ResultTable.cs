using System.Globalization;
using System.Text;

namespace Megalodon.Bench;

/// <summary>A small table printed as markdown and saved as CSV, so hand runs and spreadsheets see the same numbers.</summary>
internal sealed class ResultTable(string name, params string[] columns)
{
    private readonly List<string[]> _rows = [];

    /// <summary>The CSV file's base name.</summary>
    public string Name { get; } = name;

    /// <summary>Adds a row; numbers are formatted invariantly.</summary>
    public void Add(params object[] cells)
    {
        if (cells.Length != columns.Length)
            throw new ArgumentException($"Row has {cells.Length} cells; table {Name} has {columns.Length} columns.");
        _rows.Add(cells.Select(Format).ToArray());
    }

    /// <summary>Prints the table as markdown.</summary>
    public void Print(TextWriter writer)
    {
        writer.WriteLine("| " + string.Join(" | ", columns) + " |");
        writer.WriteLine("|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var row in _rows)
            writer.WriteLine("| " + string.Join(" | ", row) + " |");
        writer.WriteLine();
    }

    /// <summary>Writes <c>{Name}.csv</c> into <paramref name="folder"/> and returns its path.</summary>
    public string WriteCsv(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, Name + ".csv");
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", columns.Select(Quote)));
        foreach (var row in _rows)
            text.AppendLine(string.Join(",", row.Select(Quote)));
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>Prints, saves, and says where.</summary>
    public void Emit(string folder)
    {
        Print(Console.Out);
        Console.WriteLine($"(saved {WriteCsv(folder)})");
        Console.WriteLine();
    }

    private static string Format(object cell) => cell switch
    {
        double d => d.ToString(Math.Abs(d) >= 100 ? "F0" : Math.Abs(d) >= 1 ? "F2" : "G3", CultureInfo.InvariantCulture),
        float f => Format((double)f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static string Quote(string cell) => cell.Contains(',') || cell.Contains('"') ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}
