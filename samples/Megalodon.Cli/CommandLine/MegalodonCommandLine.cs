using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Megalodon.Cli.Commands;
using Megalodon.Cli.Commands.Ner;

namespace Megalodon.Cli.CommandLine;

/// <summary>
/// The <c>megalodon</c> command line on System.CommandLine: the verb registry, the help layout (a usage line, the
/// description, the generated argument and option lists, the verb's notes), and one rule for errors: a usage error
/// prints what is wrong and the usage line and exits with 2; a failed verb prints its message and exits with 1.
/// Completion comes from System.CommandLine's <c>[suggest]</c> directive (see <see cref="CompletionCommand"/>).
/// </summary>
public static class MegalodonCommandLine
{
    /// <summary>The program's name in help and messages.</summary>
    public const string ProgramName = "megalodon";

    /// <summary>Exit code of a usage error.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code of a verb that failed.</summary>
    public const int FailureExitCode = 1;

    /// <summary>Builds the root command with every verb. To add a verb, write a <see cref="VerbCommand"/> and list it here.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Megalodon language models through ML.NET: pretraining, generation, evaluation, probing and NER.")
        {
            new ParityCommand(),
            new PretrainCommand(),
            new GenerateCommand(),
            new PerplexityCommand(),
            new ContinueCommand(),
            new ProbeCommand(),
            new SteerCommand(),
            new NerCommand(),
            new CompletionCommand(),
        };
        root.Add(HelpCommand(root));
        HelpWriter.Install(root);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/> with results on <paramref name="output"/> and diagnostics on <paramref name="error"/>.</summary>
    /// <returns>The exit code: 0 success, 1 failure, 2 usage error (or what the verb returns).</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error) => Run(Create(), args, output, error);

    private static int Run(RootCommand root, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        // '@file' is an ordinary value here (a prompt may start with '@'), not a response file to expand.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
            return ReportParseErrors(parse, error);
        // Ctrl+C stays with the training verbs, which stop between steps and save what they can.
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }

    /// <summary>Runs a verb's work, turning its exceptions into the exit codes and messages of the command line.</summary>
    internal static int RunVerb(VerbCommand verb, ParseResult parse, Func<ParseResult, TextWriter, TextWriter, int> run)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var path = CommandPath(parse.CommandResult);
        try
        {
            return run(parse, output, error);
        }
        catch (UsageException ex)
        {
            error.WriteLine($"{path}: {ex.Message}");
            WriteUsageLine(verb, path, error);
            return UsageExitCode;
        }
        catch (CommandFailedException ex)
        {
            error.WriteLine($"{path}: {ex.Message}");
            return FailureExitCode;
        }
    }

    /// <summary>The usage line and where to find the options.</summary>
    private static void WriteUsageLine(Command command, string path, TextWriter error)
    {
        error.WriteLine($"Usage: {Synopsis(command)}");
        error.WriteLine($"Run '{path} --help' for the options.");
    }

    private static int ReportParseErrors(ParseResult parse, TextWriter error)
    {
        var command = parse.CommandResult.Command;
        var path = CommandPath(parse.CommandResult);
        if (command is VerbCommand)
        {
            foreach (var e in parse.Errors)
                error.WriteLine($"{path}: {e.Message}");
            WriteUsageLine(command, path, error);
            return UsageExitCode;
        }
        // The root or a group of sub-verbs (ner): say which verb is wrong or missing, then list the verbs.
        var verbs = string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        var first = parse.UnmatchedTokens.FirstOrDefault();
        var message = (first, command) switch
        {
            ({ } token, RootCommand) when !token.StartsWith('-') => $"unknown verb '{token}'.",
            ({ } token, _) when !token.StartsWith('-') => $"Unknown sub-verb '{token}'; use {verbs}.",
            (null, RootCommand) when parse.Tokens.Count == 0 => "give a verb.",
            (null, _) when parse.CommandResult.Tokens.Count == 0 && parse.UnmatchedTokens.Count == 0 => $"Missing the sub-verb: {verbs}.",
            _ => parse.Errors[0].Message,
        };
        error.WriteLine($"{path}: {message}");
        error.WriteLine();
        HelpWriter.Write(command, error);
        return UsageExitCode;
    }

    /// <summary><c>megalodon help [verb]</c>: the same as <c>megalodon [verb] --help</c>.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var verb = new Argument<string[]>("verb") { Arity = ArgumentArity.ZeroOrMore, Description = "the verb (and sub-verb) to explain" };
        var command = new Command("help", "Show the help of a verb.") { verb };
        command.SetAction(parse => Run(root, [.. parse.GetValue(verb) ?? [], "--help"],
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The usage line of <paramref name="command"/>, after <c>Usage: </c>.</summary>
    internal static string Synopsis(Command command) => command switch
    {
        VerbCommand verb => verb.Synopsis,
        RootCommand => $"{ProgramName} <verb> [options]",
        _ when command.Subcommands.Count > 0 => $"{CommandPath(command)} <sub-verb> [options]",
        _ => $"{CommandPath(command)} [options]",
    };

    /// <summary>The words that run <paramref name="result"/>'s command, e.g. <c>megalodon ner train</c>.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Add(c.Command is RootCommand ? ProgramName : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Add(c is RootCommand ? ProgramName : c.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
