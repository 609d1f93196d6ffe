namespace Megalodon.Cli.Commands;

/// <summary>
/// One verb of the <c>megalodon</c> command line. To add a verb, write a class implementing this interface in
/// <c>Commands/</c> and list it in the registry in <c>Program.cs</c>.
/// </summary>
public interface ICliCommand
{
    /// <summary>The verb as typed (lowercase, no spaces), for example <c>parity</c>.</summary>
    string Name { get; }

    /// <summary>One line for the verb list.</summary>
    string Summary { get; }

    /// <summary>The full help text printed by <c>megalodon &lt;verb&gt; --help</c>.</summary>
    string Usage { get; }

    /// <summary>Runs the verb.</summary>
    /// <param name="args">The arguments after the verb (no <c>--help</c>; the dispatcher handles it).</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where diagnostics go.</param>
    /// <returns>The process exit code: 0 success, 1 failure; throw <see cref="UsageException"/> for bad arguments (exit 2).</returns>
    int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error);
}
