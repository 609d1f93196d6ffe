using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Progress;
using Megalodon.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Spectre.Console;

namespace Megalodon.Cli.Commands;

/// <summary>
/// The console side of a training verb, shared by <c>pretrain</c>, <c>continue</c> and <c>ner</c>: progress on standard
/// error (a Spectre.Console progress bar on a terminal, a plain line every 5% otherwise), Ctrl+C that stops between
/// steps, and the estimator's log lines.
/// </summary>
internal sealed class TrainingConsole : IDisposable
{
    private readonly IAnsiConsole? _terminal;
    private readonly TrainingProgressLines _lines;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly bool _ownsConsole;
    private ProgressTask? _task;

    /// <summary>Starts the console side of a run.</summary>
    /// <param name="error">Standard error, or another writer (then progress is plain lines unless <paramref name="terminal"/> is given).</param>
    /// <param name="terminal">The Spectre console to draw on; by default the terminal behind <paramref name="error"/>, if any.</param>
    public TrainingConsole(TextWriter error, IAnsiConsole? terminal = null)
    {
        _terminal = terminal ?? TerminalConsole.For(error);
        _lines = new TrainingProgressLines(error);
        _ownsConsole = ReferenceEquals(error, Console.Error);
        if (_ownsConsole) Console.CancelKeyPress += OnCancel;
    }

    /// <summary>Receives the trainer's progress: moves the bar while <see cref="Track{T}"/> runs on a terminal, else writes lines.</summary>
    public IProgress<TrainingProgress> Progress => new SynchronousProgress<TrainingProgress>(Report);

    /// <summary>Cancelled by Ctrl+C.</summary>
    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Runs <paramref name="work"/> under a progress bar titled <paramref name="label"/> (on a terminal).</summary>
    public T Track<T>(string label, Func<T> work)
    {
        if (_terminal is null) return work();
        T result = default!;
        _terminal.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask(Markup.Escape(label), maxValue: 1);
                try
                {
                    result = work();
                    _task.Value = _task.MaxValue;
                }
                finally
                {
                    _task.StopTask();
                    _task = null;
                }
            });
        return result;
    }

    private void Report(TrainingProgress value)
    {
        if (_task is not { } task)
        {
            _lines.Report(value);
            return;
        }
        task.MaxValue = Math.Max(1, value.TotalSteps);
        task.Value = value.Step;
        task.Description = Markup.Escape(TrainingProgressText.Describe(value));
    }

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
            return console.Track("training", fit);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine(cancelledMessage);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or TrainingCheckpointException or NonFiniteLossException)
        {
            throw new CommandFailedException(ex.Message);
        }
    }

    public void Dispose()
    {
        if (_ownsConsole) Console.CancelKeyPress -= OnCancel;
        _cancellation.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        // The first Ctrl+C stops between steps (after a checkpoint); a second one ends the process.
        if (_cancellation.IsCancellationRequested) return;
        e.Cancel = true;
        _cancellation.Cancel();
    }
}
