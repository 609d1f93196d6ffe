namespace Megalodon.Cli.CommandLine;

/// <summary>
/// Arguments found wrong only while the verb runs (a sequence length its config cannot take, an unknown device): the
/// command line prints the message and the verb's usage line, and exits with 2, as for a parse error.
/// </summary>
/// <param name="message">What is wrong with the arguments.</param>
public sealed class UsageException(string message) : Exception(message);
