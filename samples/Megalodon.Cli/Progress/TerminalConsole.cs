using Spectre.Console;

namespace Megalodon.Cli.Progress;

/// <summary>
/// Spectre.Console on the process's own standard output or error when a terminal is attached to it; null otherwise
/// (redirected to a file or a pipe, or any other writer, as in the tests), where the callers write plain lines.
/// </summary>
internal static class TerminalConsole
{
    /// <summary>A Spectre console writing to <paramref name="writer"/>, or null when that is not an attached terminal.</summary>
    public static IAnsiConsole? For(TextWriter writer)
    {
        bool terminal = (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected)
                        || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);
        return terminal ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) }) : null;
    }
}
