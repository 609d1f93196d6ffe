using System.Globalization;
using Megalodon.ML.Training;

namespace Megalodon.Cli.Progress;

/// <summary>
/// Plain progress for logs (CI, redirected output): one line every <c>~5%</c> of the steps and at the last step,
/// no control characters.
/// </summary>
/// <param name="writer">Where the lines go.</param>
internal sealed class TrainingProgressLines(TextWriter writer) : IProgress<TrainingProgress>
{
    /// <summary>Lines per run, roughly.</summary>
    public const int LinesPerRun = 20;

    /// <summary>Writes a line when the step is a multiple of the interval or the last one.</summary>
    public void Report(TrainingProgress value)
    {
        long every = Math.Max(1, value.TotalSteps / LinesPerRun);
        if (value.Step % every != 0 && value.Step != value.TotalSteps) return;
        writer.WriteLine(Format(value));
        writer.Flush();
    }

    /// <summary>The line for <paramref name="value"/>.</summary>
    public static string Format(TrainingProgress value)
    {
        double percent = value.TotalSteps > 0 ? 100.0 * value.Step / value.TotalSteps : 0;
        var valid = value.LastValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $"  valid {v:F4}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"step {value.Step}/{value.TotalSteps} ({percent:F0}%)  loss {value.Loss:F4}{valid}  lr {value.LearningRate:0.00e+00}  {ProgressText.Count(value.TokensPerSecond)} tok/s  elapsed {ProgressText.Duration(value.Elapsed)}  ETA {ProgressText.Duration(value.EstimatedRemaining)}");
    }
}
