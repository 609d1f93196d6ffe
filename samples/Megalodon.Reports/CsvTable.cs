using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Megalodon.ML.IO;

namespace Megalodon.Reports;

/// <summary>
/// A header plus rows of text cells, read and written by CsvHelper as RFC 4180 CSV (comma separated, quotes doubled
/// inside quoted fields) with numbers in the invariant culture. Saving is atomic: a reader never sees a half-written file.
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

    /// <summary>Rows added or read so far; every row has as many cells as the header.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    /// <summary>
    /// Appends a row. Cells may be strings, numbers (invariant culture; doubles round-trip exactly, NaN as <c>NaN</c>)
    /// or null (an empty cell).
    /// </summary>
    /// <exception cref="ArgumentException">The row's length differs from the header's.</exception>
    public CsvTable AddRow(params object?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _header.Length)
            throw new ArgumentException($"CSV row has {cells.Length} cells but the header has {_header.Length} columns.", nameof(cells));
        _rows.Add([.. cells.Select(c => c switch
        {
            null => "",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => c.ToString() ?? "",
        })]);
        return this;
    }

    /// <summary>Index of a column by exact name.</summary>
    /// <exception cref="ArgumentException">No column has that name.</exception>
    public int ColumnIndex(string name)
    {
        int index = Array.IndexOf(_header, name);
        return index >= 0 ? index : throw new ArgumentException($"CSV has no column '{name}' (columns: {string.Join(", ", _header)}).", nameof(name));
    }

    /// <summary>One cell by row index and column name.</summary>
    public string Get(int row, string column) => _rows[row][ColumnIndex(column)];

    /// <summary>One cell as a double (invariant culture; an empty cell reads as NaN).</summary>
    /// <exception cref="FormatException">The cell is not a number; the message names the row and column.</exception>
    public double GetDouble(int row, string column)
    {
        var text = Get(row, column);
        if (text.Length == 0) return double.NaN;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"CSV row {row + 1}, column '{column}': '{text}' is not a number.");
    }

    /// <summary>The table as CSV text: the header line, then one line per row, each ending in CRLF.</summary>
    public string ToCsv()
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var format = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            NewLine = "\r\n",
            // A lone empty cell is written as "" so that its line is not blank (a reader skips blank lines).
            ShouldQuote = args => string.IsNullOrEmpty(args.Field) ? _header.Length == 1 : ConfigurationFunctions.ShouldQuote(args),
        };
        using (var csv = new CsvWriter(text, format))
        {
            foreach (var row in _rows.Prepend(_header))
            {
                foreach (var cell in row) csv.WriteField(cell);
                csv.NextRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>Writes the table to <paramref name="path"/> atomically (folders created).</summary>
    public void Save(string path) => AtomicFile.WriteCreatingFolder(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(ToCsv())));

    /// <summary>Reads a CSV file with a header line.</summary>
    /// <exception cref="FormatException">An empty file, or a row whose length differs from the header's; the message names the file and row.</exception>
    public static CsvTable Load(string path)
    {
        try { return Parse(File.ReadAllText(path, Encoding.UTF8)); }
        catch (FormatException ex) { throw new FormatException($"{path}: {ex.Message}", ex); }
    }

    /// <summary>Parses CSV text with a header line; CRLF, LF or CR line ends.</summary>
    /// <exception cref="FormatException">Empty text, malformed quoting, or a row whose length differs from the header's.</exception>
    public static CsvTable Parse(string text)
    {
        using var csv = new CsvParser(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture));
        try
        {
            if (!csv.Read()) throw new FormatException("CSV text is empty: no header line.");
            var table = new CsvTable(csv.Record!);
            while (csv.Read())
            {
                var record = csv.Record!;
                if (record.Length != table._header.Length)
                    throw new FormatException($"CSV row {csv.Row - 1} has {record.Length} cells but the header has {table._header.Length} columns.");
                table._rows.Add(record);
            }
            return table;
        }
        catch (CsvHelperException ex)
        {
            throw new FormatException($"CSV line {csv.Row}: {ex.Message.Split('\n')[0].Trim()}", ex);
        }
    }
}
