using Spectre.Console;

namespace Megalodon.Cli.Progress;

/// <summary>
/// A table of results that fills as they come: a live Spectre.Console table on a terminal, aligned plain lines
/// otherwise (logs, tests), one line per row as soon as it is known.
/// </summary>
internal static class ResultTable
{
    /// <summary>A column: its header, its width in plain text, and whether it is left-aligned (numbers are right-aligned).</summary>
    public sealed record Column(string Header, int Width, bool LeftAligned = false);

    /// <summary>Shows the table while <paramref name="fill"/> adds its rows.</summary>
    /// <param name="output">Where the table goes.</param>
    /// <param name="columns">The columns.</param>
    /// <param name="fill">Computes the rows, passing each to the action it receives.</param>
    public static void Show(TextWriter output, IReadOnlyList<Column> columns, Action<Action<IReadOnlyList<string>>> fill)
    {
        if (TerminalConsole.For(output) is not { } terminal)
        {
            output.WriteLine(Line(columns, columns.Select(c => c.Header).ToList()));
            fill(row =>
            {
                output.WriteLine(Line(columns, row));
                output.Flush();
            });
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            var tableColumn = new TableColumn(Markup.Escape(column.Header));
            table.AddColumn(column.LeftAligned ? tableColumn.LeftAligned() : tableColumn.RightAligned());
        }
        terminal.Live(table).Start(context => fill(row =>
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
            context.Refresh();
        }));
    }

    private static string Line(IReadOnlyList<Column> columns, IReadOnlyList<string> cells) =>
        string.Join("  ", columns.Select((c, i) => c.LeftAligned ? cells[i].PadRight(c.Width) : cells[i].PadLeft(c.Width))).TrimEnd();
}
