using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Megalodon.Cli.CommandLine;

/// <summary>
/// Writes a command's help from its definition: the usage line, the description, the arguments and options with their
/// value names and descriptions, the sub-verbs, and the verb's notes. (System.CommandLine 2 keeps its own help builder
/// internal; this keeps the layout the CLI had, with the lists generated from the options.)
/// </summary>
internal static class HelpWriter
{
    private const int Width = 120;
    private const int MaxFirstColumn = 34;

    /// <summary>Makes every <c>--help</c> under <paramref name="root"/> write this help.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
            help.Action = new WriteHelpAction();
    }

    /// <summary>Writes the help of <paramref name="command"/>.</summary>
    public static void Write(Command command, TextWriter output)
    {
        output.WriteLine($"Usage: {MegalodonCommandLine.Synopsis(command)}");
        output.WriteLine();
        output.WriteLine(command.Description);
        if (command is VerbCommand { Details: { } details })
        {
            output.WriteLine();
            output.WriteLine(details.TrimEnd());
        }
        WriteRows(output, "Arguments:", command.Arguments.Where(a => !a.Hidden).Select(a => ($"<{a.Name}>", a.Description ?? "")));
        WriteRows(output, "Options:", AllOptions(command).Select(o => (OptionLabel(o), o.Description ?? "")));
        WriteRows(output, command is RootCommand ? "Verbs:" : "Sub-verbs:", command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? "")));
        if (command is VerbCommand { Notes: { } notes })
        {
            output.WriteLine();
            output.WriteLine(notes.TrimEnd());
        }
    }

    /// <summary>The command's own options, then the recursive ones of its parents (<c>--help</c>).</summary>
    private static IEnumerable<Option> AllOptions(Command command)
    {
        var own = command.Options.Where(o => !o.Hidden).ToList();
        var inherited = new List<Option>();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            inherited.AddRange(parent.Options.Where(o => o.Recursive && !o.Hidden && !own.Contains(o)));
        return own.Concat(inherited);
    }

    private static string OptionLabel(Option option)
    {
        // Of the short spellings only the usual one (-h), not /h, -? and /?.
        var names = option.Aliases.Where(a => a.Length == 2 && a[0] == '-' && char.IsLetter(a[1])).Append(option.Name);
        var label = string.Join(", ", names);
        bool takesValue = option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
        return takesValue ? $"{label} {option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant()}" : label;
    }

    /// <summary>A titled two-column list; long descriptions wrap under their column.</summary>
    private static void WriteRows(TextWriter output, string title, IEnumerable<(string First, string Second)> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0) return;
        output.WriteLine();
        output.WriteLine(title);
        int first = Math.Min(MaxFirstColumn, list.Max(r => r.First.Length));
        int indent = 2 + first + 2;
        foreach (var (label, text) in list)
        {
            var lines = Wrap(text, Math.Max(30, Width - indent));
            if (label.Length > first)
            {
                output.WriteLine($"  {label}");
                foreach (var line in lines) output.WriteLine(new string(' ', indent) + line);
                continue;
            }
            output.WriteLine($"  {label.PadRight(first)}  {lines.FirstOrDefault()}".TrimEnd());
            foreach (var line in lines.Skip(1)) output.WriteLine(new string(' ', indent) + line);
        }
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line);
                line = "";
            }
            line = line.Length == 0 ? word : line + " " + word;
        }
        if (line.Length > 0) lines.Add(line);
        return lines;
    }

    /// <summary>The action of <c>--help</c>: the help of the command it follows, on standard output, exit code 0.</summary>
    private sealed class WriteHelpAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Write(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return 0;
        }
    }
}
