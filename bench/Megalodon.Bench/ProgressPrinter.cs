using System.Globalization;
using Megalodon.ML.Training;

namespace Megalodon.Bench;

/// <summary>Prints a training run's step, loss, learning rate, last validation loss and speed every <paramref name="every"/> steps.</summary>
/// <param name="name">The run's name, printed first.</param>
/// <param name="every">Print every this many steps (and at the last one).</param>
internal sealed class ProgressPrinter(string name, long every) : IProgress<TrainingProgress>
{
    /// <inheritdoc/>
    public void Report(TrainingProgress p)
    {
        if (p.Step % every == 0 || p.Step == p.TotalSteps)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} lr {p.LearningRate:E2} valid {p.LastValidationLoss:F3} {p.TokensPerSecond:F0} tok/s, {p.EstimatedRemaining:hh\\:mm\\:ss} left"));
    }
}
