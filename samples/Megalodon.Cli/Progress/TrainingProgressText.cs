using System.Globalization;
using Megalodon.ML.Training;

namespace Megalodon.Cli.Progress;

/// <summary>The live progress line's text beside the bar: step, loss, validation loss, speed and time left.</summary>
internal static class TrainingProgressText
{
    /// <summary>E.g. <c>step 120/1500  loss 2.500  valid 2.250  12,345 tok/s  ETA 1:02:05</c>.</summary>
    public static string Describe(TrainingProgress value)
    {
        var valid = value.LastValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $"  valid {v:F3}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"step {value.Step}/{value.TotalSteps}  loss {value.Loss:F3}{valid}  {ProgressText.Count(value.TokensPerSecond)} tok/s  ETA {ProgressText.Duration(value.EstimatedRemaining)}");
    }
}
