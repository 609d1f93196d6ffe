using Megalodon.ML.IO;
using System.Globalization;
using System.Text;

namespace Megalodon.ML.Reporting;

/// <summary>
/// A header plus rows of text cells, written as RFC 4180 CSV (comma separated, CRLF line ends,
/// quotes doubled inside quoted fields) with numbers in the invariant culture.
/// Saving is atomic: a reader never sees a half-written file.
/// </summary>
public sealed class CsvTable
{
    private readonly string[] _header;
    private readonly List<string[]> _rows = [];

    /// <summary>Starts an empty table with the given column names.</summary>
    /// <exception cref="ArgumentException">No columns, or a duplicate column name.</exception>
    public CsvTable(IEnumerable<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _header = [.. header.Select(h => h ?? throw new ArgumentException("CSV column names cannot be null.", nameof(header)))];
        if (_header.Length == 0) throw new ArgumentException("A CSV table needs at least one column.", nameof(header));
        var duplicate = _header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"CSV column name '{duplicate.Key}' appears more than once.", nameof(header));
    }

    /// <summary>Column names, in order.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>Number of columns.</summary>
    public int ColumnCount => _header.Length;

    /// <summary>Rows added or read so far; every row has <see cref="ColumnCount"/> cells.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    /// <summary>
    /// Appends a row. Cells may be strings, numbers (formatted in the invariant culture; doubles
    /// round-trip exactly, NaN as "NaN") or null (an empty cell).
    /// </summary>
    /// <exception cref="ArgumentException">The row's length differs from the header's.</exception>
    public CsvTable AddRow(params object?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _header.Length)
            throw new ArgumentException($"CSV row has {cells.Length} cells but the header has {_header.Length} columns.", nameof(cells));
        _rows.Add([.. cells.Select(FormatCell)]);
        return this;
    }

    /// <summary>Index of a column by exact name.</summary>
    /// <exception cref="ArgumentException">No column has that name.</exception>
    public int ColumnIndex(string name)
    {
        var i = Array.IndexOf(_header, name);
        return i >= 0 ? i : throw new ArgumentException($"CSV table has no column '{name}'; columns are: {string.Join(", ", _header)}.", nameof(name));
    }

    /// <summary>One cell by row index and column name.</summary>
    public string Get(int row, string column) => _rows[row][ColumnIndex(column)];

    /// <summary>One cell parsed as a double (invariant culture; an empty cell reads as NaN).</summary>
    /// <exception cref="FormatException">The cell is not a number.</exception>
    public double GetDouble(int row, string column)
    {
        var text = Get(row, column);
        if (text.Length == 0) return double.NaN;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"CSV cell (row {row}, column '{column}') is '{text}', not a number.");
    }

    /// <summary>The table as CSV text: header line, then one line per row, each ending in CRLF.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        AppendLine(sb, _header);
        foreach (var row in _rows) AppendLine(sb, row);
        return sb.ToString();
    }

    /// <summary>
    /// Writes the table to <paramref name="path"/> atomically: the text goes to a temporary file in
    /// the same folder, which then replaces the target in one rename.
    /// </summary>
    public void Save(string path) => AtomicFile.WriteCreatingFolder(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(ToCsv())));

    /// <summary>Reads a table saved by <see cref="Save"/> (or any RFC 4180 CSV with a header line).</summary>
    /// <exception cref="FormatException">Malformed quoting, or a row whose length differs from the header's.</exception>
    public static CsvTable Load(string path) => Parse(File.ReadAllText(path, Encoding.UTF8));

    /// <summary>Parses CSV text; accepts CRLF, LF or CR line ends and a missing final line end.</summary>
    /// <exception cref="FormatException">Empty text, malformed quoting, or a row whose length differs from the header's.</exception>
    public static CsvTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = CsvParser.ParseRecords(text);
        if (records.Count == 0) throw new FormatException("CSV text is empty: there is no header line.");
        var table = new CsvTable(records[0]);
        for (var i = 1; i < records.Count; i++)
        {
            if (records[i].Count != table.ColumnCount)
                throw new FormatException($"CSV record {i + 1} has {records[i].Count} cells but the header has {table.ColumnCount} columns.");
            table._rows.Add([.. records[i]]);
        }
        return table;
    }

    private static string FormatCell(object? cell) => cell switch
    {
        null => "",
        string s => s,
        // "R" round-trips doubles exactly; the invariant culture writes NaN and Infinity as words.
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static void AppendLine(StringBuilder sb, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) sb.Append(',');
            // A lone empty cell would be an empty line, which readers skip; quoting keeps it a record.
            var mustQuote = cells[i].AsSpan().IndexOfAny(",\"\r\n") >= 0 || (cells.Count == 1 && cells[i].Length == 0);
            if (mustQuote) sb.Append('"').Append(cells[i].Replace("\"", "\"\"")).Append('"');
            else sb.Append(cells[i]);
        }
        sb.Append("\r\n");
    }
}
