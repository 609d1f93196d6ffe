namespace Megalodon.Cli.CommandLine;

/// <summary>
/// A verb could not do its work for a reason the user can fix (a missing file, unusable data): the command line prints
/// the message, without the usage, and exits with 1.
/// </summary>
/// <param name="message">What went wrong and, where possible, what to do about it.</param>
public sealed class CommandFailedException(string message) : Exception(message);
