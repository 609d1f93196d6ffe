using Megalodon.Cli.CommandLine;

namespace Megalodon.ML.Tests.Cli;

/// <summary>Runs the megalodon command line in-process with every verb, capturing both streams.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = MegalodonCommandLine.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
