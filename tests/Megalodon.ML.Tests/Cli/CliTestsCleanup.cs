namespace Megalodon.ML.Tests.Cli;

[TestClass]
public static class CliTestsCleanup
{
    [AssemblyCleanup]
    public static void DeleteSharedModel() => TinyCliModel.Cleanup();
}
