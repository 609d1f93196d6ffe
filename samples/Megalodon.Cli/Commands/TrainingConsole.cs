using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Progress;
using Megalodon.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Megalodon.Cli.Commands;

/// <summary>
/// The console side of a training verb, shared by <c>pretrain</c> and <c>continue</c>: progress on standard error (a
/// live bar on a terminal, a line every 5% otherwise), Ctrl+C that stops between steps, and the estimator's log lines.
/// </summary>
internal sealed class TrainingConsole : IDisposable
{
    private readonly TrainingProgressBar? _bar;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly ConsoleCancelEventHandler _onCancel;
    private readonly bool _ownsConsole;

    public TrainingConsole(TextWriter error)
    {
        bool onTerminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        _bar = onTerminal ? new TrainingProgressBar(error, TerminalWidth()) : null;
        Progress = _bar ?? (IProgress<TrainingProgress>)new TrainingProgressLines(error);
        _onCancel = (_, e) =>
        {
            // The first Ctrl+C stops between steps (after a checkpoint); a second one ends the process.
            if (_cancellation.IsCancellationRequested) return;
            e.Cancel = true;
            _cancellation.Cancel();
        };
        _ownsConsole = ReferenceEquals(error, Console.Error);
        if (_ownsConsole) Console.CancelKeyPress += _onCancel;
    }

    /// <summary>Receives the trainer's progress.</summary>
    public IProgress<TrainingProgress> Progress { get; }

    /// <summary>Cancelled by Ctrl+C.</summary>
    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Ends the live bar's line (no-op for plain lines).</summary>
    public void Finish() => _bar?.Finish();

    /// <summary>Passes the estimator's warnings, and info lines starting with one of <paramref name="infoPrefixes"/>, on to the user.</summary>
    public static void ForwardLog(LoggingEventArgs e, TextWriter error, string verb, params string[] infoPrefixes)
    {
        if (e.Kind is ChannelMessageKind.Warning or ChannelMessageKind.Error)
            error.WriteLine($"megalodon {verb}: {e.Kind.ToString().ToLowerInvariant()}: {e.RawMessage}");
        else if (e.Kind == ChannelMessageKind.Info && infoPrefixes.Any(p => e.RawMessage.StartsWith(p, StringComparison.Ordinal)))
            error.WriteLine(e.RawMessage);
    }

    /// <summary>
    /// Runs a training fit under a live console: progress and Ctrl+C are wired into the options by
    /// <paramref name="wire"/>, known training errors become command failures, and a cancelled run prints
    /// <paramref name="cancelledMessage"/> and returns null.
    /// </summary>
    public static T? Fit<T>(TextWriter error, Action<IProgress<TrainingProgress>, CancellationToken> wire, Func<T> fit, string cancelledMessage)
        where T : class
    {
        using var console = new TrainingConsole(error);
        wire(console.Progress, console.CancellationToken);
        try
        {
            var result = fit();
            console.Finish();
            return result;
        }
        catch (OperationCanceledException)
        {
            console.Finish();
            error.WriteLine(cancelledMessage);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or TrainingCheckpointException or NonFiniteLossException)
        {
            console.Finish();
            throw new CommandFailedException(ex.Message);
        }
    }

    public void Dispose()
    {
        if (_ownsConsole) Console.CancelKeyPress -= _onCancel;
        _cancellation.Dispose();
    }

    private static int TerminalWidth()
    {
        try { return Console.WindowWidth > 20 ? Console.WindowWidth : 80; }
        catch (IOException) { return 80; }
    }
}
