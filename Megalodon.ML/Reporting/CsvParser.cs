using System.Text;

namespace Megalodon.ML.Reporting;

/// <summary>RFC 4180 record splitter: quoted fields may hold commas, doubled quotes and line breaks.</summary>
internal static class CsvParser
{
    /// <summary>Splits CSV text into records of fields. Blank lines outside quotes are skipped.</summary>
    /// <exception cref="FormatException">An unterminated quoted field, or text after a closing quote.</exception>
    public static List<List<string>> ParseRecords(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var atFieldStart = true;
        var lineHasContent = false; // tells an empty line from a record holding one empty field
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"' && atFieldStart)
            {
                i = ReadQuoted(text, i, field, records.Count + 1);
                atFieldStart = false;
                lineHasContent = true;
                if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    throw new FormatException($"CSV record {records.Count + 1}: unexpected '{text[i]}' after a closing quote.");
                continue;
            }
            if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
                atFieldStart = true;
                lineHasContent = true;
                i++;
                continue;
            }
            if (c is '\r' or '\n')
            {
                if (lineHasContent)
                {
                    record.Add(field.ToString());
                    records.Add(record);
                    record = [];
                }
                field.Clear();
                atFieldStart = true;
                lineHasContent = false;
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                continue;
            }
            field.Append(c);
            atFieldStart = false;
            lineHasContent = true;
            i++;
        }
        if (lineHasContent)
        {
            record.Add(field.ToString());
            records.Add(record);
        }
        return records;
    }

    /// <summary>Reads a quoted field starting at the opening quote; returns the index after the closing quote.</summary>
    private static int ReadQuoted(string text, int start, StringBuilder field, int recordNumber)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            field.Append(text[i]);
            i++;
        }
        throw new FormatException($"CSV record {recordNumber}: a quoted field is never closed.");
    }
}
