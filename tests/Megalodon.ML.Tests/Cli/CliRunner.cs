using Megalodon.Cli.Commands;

namespace Megalodon.ML.Tests.Cli;

/// <summary>Runs the megalodon command line in-process with every verb, capturing both streams.</summary>
internal static class CliRunner
{
    private static readonly ICliCommand[] Verbs = [new ParityCommand(), new PretrainCommand(), new GenerateCommand(), new PerplexityCommand(), new ContinueCommand(), new ProbeCommand(), new SteerCommand(), new NerCommand()];

    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandDispatcher.Run(args, Verbs, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
