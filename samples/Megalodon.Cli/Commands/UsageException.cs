namespace Megalodon.Cli.Commands;

/// <summary>Bad command-line arguments: the dispatcher prints the message and the verb's usage, and exits with 2.</summary>
/// <param name="message">What is wrong with the arguments.</param>
public sealed class UsageException(string message) : Exception(message);
