using System.Diagnostics;
using System.Globalization;
using Megalodon.ML.Training;

namespace Megalodon.Cli.Progress;

/// <summary>
/// A live one-line progress bar for a terminal: <c>step/total [#####-----] pct loss tok/s ETA</c>, redrawn in place
/// with a carriage return at most every <see cref="RedrawInterval"/>.
/// </summary>
/// <param name="writer">The terminal (standard error).</param>
/// <param name="terminalWidth">Columns available; the line never wraps.</param>
internal sealed class TrainingProgressBar(TextWriter writer, int terminalWidth) : IProgress<TrainingProgress>
{
    /// <summary>Least time between redraws: enough for the eye, cheap for the terminal.</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private int _lastLength;
    private bool _drawn;

    /// <summary>Redraws the bar (throttled; the last step always draws).</summary>
    public void Report(TrainingProgress value)
    {
        if (_drawn && value.Step < value.TotalSteps && _sinceDraw.Elapsed < RedrawInterval) return;
        _sinceDraw.Restart();
        var line = Format(value, terminalWidth);
        // Blank out what a longer previous line left behind.
        writer.Write("\r" + line.PadRight(_lastLength));
        writer.Flush();
        _lastLength = line.Length;
        _drawn = true;
    }

    /// <summary>Ends the bar's line so later output starts on a fresh one.</summary>
    public void Finish()
    {
        if (!_drawn) return;
        writer.WriteLine();
        writer.Flush();
        _drawn = false;
    }

    /// <summary>The bar line for <paramref name="value"/>, at most <paramref name="width"/> - 1 characters long.</summary>
    public static string Format(TrainingProgress value, int width)
    {
        double fraction = value.TotalSteps > 0 ? Math.Clamp((double)value.Step / value.TotalSteps, 0, 1) : 0;
        var steps = value.TotalSteps.ToString(CultureInfo.InvariantCulture);
        var left = value.Step.ToString(CultureInfo.InvariantCulture).PadLeft(steps.Length) + "/" + steps + " ";
        var valid = value.LastValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $"  valid {v:F3}") : "";
        var right = string.Create(CultureInfo.InvariantCulture,
            $" {fraction * 100,3:F0}%  loss {value.Loss:F3}{valid}  {ProgressText.Count(value.TokensPerSecond)} tok/s  ETA {ProgressText.Duration(value.EstimatedRemaining)}");
        int barWidth = Math.Clamp(width - 1 - left.Length - right.Length - 2, 10, 40);
        int filled = (int)Math.Round(fraction * barWidth);
        var line = left + "[" + new string('#', filled) + new string('-', barWidth - filled) + "]" + right;
        return line.Length < width ? line : line[..Math.Max(0, width - 1)];
    }
}
