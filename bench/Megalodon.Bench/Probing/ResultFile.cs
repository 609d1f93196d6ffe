using System.Globalization;
using System.Text;

namespace Megalodon.Bench.Probing;

/// <summary>
/// The experiment's partial-result files: CSV written whole to a temporary file and then renamed, so a file that
/// exists is complete and an interrupted part leaves nothing a rerun would mistake for done.
/// </summary>
internal static class ResultFile
{
    /// <summary>Writes a header and rows (cells formatted invariantly, quoted when needed).</summary>
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object>> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", header.Select(Quote)));
        foreach (var row in rows)
        {
            if (row.Count != header.Count) throw new ArgumentException($"A row of {path} has {row.Count} cells for {header.Count} columns.");
            text.AppendLine(string.Join(",", row.Select(c => Quote(Format(c)))));
        }
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a file written by <see cref="Write"/>: one dictionary (column → cell) per row.</summary>
    public static List<Dictionary<string, string>> Read(string path)
    {
        var lines = Split(File.ReadAllText(path));
        if (lines.Count == 0) return [];
        var header = lines[0];
        return lines.Skip(1).Select(cells => header.Select((h, i) => (h, cell: i < cells.Count ? cells[i] : "")).ToDictionary(p => p.h, p => p.cell)).ToList();
    }

    /// <summary>A cell as a double (NaN for empty or "NaN").</summary>
    public static double Number(this Dictionary<string, string> row, string column) =>
        double.TryParse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : double.NaN;

    private static string Format(object cell) => cell switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r', '\t']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    /// <summary>RFC 4180 records (quoted cells may hold commas, quotes, tabs and line breaks).</summary>
    private static List<List<string>> Split(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n')
            {
                record.Add(cell.ToString()); cell.Clear();
                records.Add(record); record = [];
            }
            else if (c != '\r') cell.Append(c);
        }
        if (cell.Length > 0 || record.Count > 0) { record.Add(cell.ToString()); records.Add(record); }
        return records;
    }
}
