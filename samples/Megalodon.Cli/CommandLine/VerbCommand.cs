using System.CommandLine;

namespace Megalodon.Cli.CommandLine;

/// <summary>
/// One verb of the <c>megalodon</c> command line: its options, a synopsis shown first in its help and after a usage
/// error, notes (exit codes) shown last, and the work. To add a verb, derive from this class in <c>Commands/</c> and list
/// it in <see cref="MegalodonCommandLine.Create"/>.
/// </summary>
public abstract class VerbCommand : Command
{
    /// <summary>Creates the verb and wires <see cref="Run"/> as its action.</summary>
    /// <param name="name">The verb as typed, e.g. <c>parity</c>.</param>
    /// <param name="summary">What it does, in one sentence for the verb list.</param>
    protected VerbCommand(string name, string summary) : base(name, summary) =>
        SetAction(parse => MegalodonCommandLine.RunVerb(this, parse, Run));

    /// <summary>The usage line after <c>Usage:</c>, e.g. <c>megalodon parity &lt;dir&gt; [options]</c>.</summary>
    public abstract string Synopsis { get; }

    /// <summary>More about the verb, printed after the summary in its help; null for none.</summary>
    public virtual string? Details => null;

    /// <summary>Text printed after the options in the help (exit codes, where output goes); null for none.</summary>
    public virtual string? Notes => null;

    /// <summary>Does the verb's work.</summary>
    /// <param name="parse">The parsed command line; read option values from it.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where diagnostics and progress go.</param>
    /// <returns>The exit code: 0 success, 1 failure. Throw <see cref="UsageException"/> for arguments found wrong only now
    /// (exit 2), <see cref="CommandFailedException"/> for a failure the user can fix (exit 1).</returns>
    protected abstract int Run(ParseResult parse, TextWriter output, TextWriter error);
}
