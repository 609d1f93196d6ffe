namespace Megalodon.Cli.Commands;

/// <summary>
/// Routes <c>megalodon &lt;verb&gt; [options]</c> to a verb: <c>--help</c> (global or per verb) prints help and exits 0,
/// an unknown verb or bad arguments print the usage and exit 2, a <see cref="CommandFailedException"/> prints its message
/// and exits 1.
/// </summary>
public static class CommandDispatcher
{
    /// <summary>Exit code of a usage error.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code of a verb that failed (<see cref="CommandFailedException"/>).</summary>
    public const int FailureExitCode = 1;

    /// <summary>Dispatches <paramref name="args"/> to one of <paramref name="commands"/>.</summary>
    /// <param name="args">The process arguments.</param>
    /// <param name="commands">The verb registry.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<string> args, IReadOnlyList<ICliCommand> commands, TextWriter output, TextWriter error)
    {
        if (args.Count == 0)
        {
            error.Write(Usage(commands));
            return UsageExitCode;
        }
        var verb = args[0];
        if (verb is "--help" or "-h" or "help")
        {
            if (verb == "help" && args.Count > 1 && Find(commands, args[1]) is { } topic)
            {
                output.Write(topic.Usage);
                return 0;
            }
            output.Write(Usage(commands));
            return 0;
        }
        var command = Find(commands, verb);
        if (command is null)
        {
            error.WriteLine($"megalodon: unknown verb '{verb}'.");
            error.Write(Usage(commands));
            return UsageExitCode;
        }
        var rest = args.Skip(1).ToList();
        if (rest.TakeWhile(a => a != "--").Any(a => a is "--help" or "-h"))
        {
            output.Write(command.Usage);
            return 0;
        }
        try
        {
            return command.Run(rest, output, error);
        }
        catch (UsageException ex)
        {
            error.WriteLine($"megalodon {command.Name}: {ex.Message}");
            error.Write(command.Usage);
            return UsageExitCode;
        }
        catch (CommandFailedException ex)
        {
            error.WriteLine($"megalodon {command.Name}: {ex.Message}");
            return FailureExitCode;
        }
    }

    /// <summary>The top-level help: the verbs and their summaries.</summary>
    public static string Usage(IReadOnlyList<ICliCommand> commands)
    {
        var width = commands.Count == 0 ? 0 : commands.Max(c => c.Name.Length);
        var lines = commands.Select(c => $"  {c.Name.PadRight(width)}  {c.Summary}");
        return "Usage: megalodon <verb> [options]\n\nVerbs:\n" + string.Join("\n", lines)
               + "\n\nRun 'megalodon <verb> --help' for a verb's options.\n";
    }

    private static ICliCommand? Find(IReadOnlyList<ICliCommand> commands, string name) =>
        commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}
