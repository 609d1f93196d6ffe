using Megalodon.ML.Training;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms.Pretraining;

/// <summary>Forwards progress to the caller and logs a line to the ML.NET channel every <c>every</c> steps.</summary>
internal sealed class ChannelProgress(IChannel channel, IProgress<TrainingProgress>? inner, long every) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        inner?.Report(value);
        if (value.Step % every == 0 || value.Step == value.TotalSteps)
            channel.Info($"step {value.Step}/{value.TotalSteps} loss {value.Loss:F4} lr {value.LearningRate:E2} {value.TokensPerSecond:F0} tok/s");
    }
}
