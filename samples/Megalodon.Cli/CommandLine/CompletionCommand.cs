using System.CommandLine;

namespace Megalodon.Cli.CommandLine;

/// <summary>
/// <c>megalodon completion bash|zsh</c>: prints a shell function that completes verbs, options and option values by asking
/// <c>megalodon</c> itself through System.CommandLine's <c>[suggest]</c> directive. Install it with
/// <c>source &lt;(megalodon completion bash)</c>, or use the <c>dotnet-suggest</c> tool, which speaks the same directive.
/// </summary>
public sealed class CompletionCommand : VerbCommand
{
    private readonly Argument<string> _shell = new("shell") { Description = "bash or zsh" };

    /// <summary>Creates the verb.</summary>
    public CompletionCommand() : base("completion", "Print a shell completion script (bash or zsh).")
    {
        _shell.AcceptOnlyFromAmong("bash", "zsh");
        Add(_shell);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon completion bash|zsh";

    /// <inheritdoc />
    public override string Details =>
        """
        Load it in the current shell with 'source <(megalodon completion bash)', or add that line to ~/.bashrc
        (zsh: 'source <(megalodon completion zsh)' in ~/.zshrc). The megalodon on PATH answers the completions.
        """;

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        output.Write(parse.GetValue(_shell) == "zsh" ? ZshScript : BashScript);
        return 0;
    }

    // The shell passes the whole line and the cursor position; the [suggest] directive answers one candidate per line.
    private const string BashScript =
        """
        _megalodon_complete() {
            local IFS=$'\n'
            COMPREPLY=($(megalodon "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
        }
        complete -o default -F _megalodon_complete megalodon

        """;

    private const string ZshScript =
        """
        _megalodon_complete() {
            local -a candidates
            candidates=("${(@f)$(megalodon "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
            compadd -- $candidates
        }
        compdef _megalodon_complete megalodon

        """;
}
