using System.Diagnostics;
using Megalodon.ML.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// One AdamW run over a fixed set of parameters with warm-up + decay, gradient clipping and progress reports:
/// the step loop shared by the encoder's trainers.
/// </summary>
internal sealed class EncoderOptimizer : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly AdamW optimizer;
    private readonly ReferenceSchedule schedule;
    private readonly AdamWSettings adamW;
    private readonly EncoderTrainingSettings settings;
    private readonly IProgress<TrainingProgress>? progress;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long tokens;

    public EncoderOptimizer(IEnumerable<Parameter> trainable, EncoderTrainingSettings settings, IProgress<TrainingProgress>? progress)
    {
        this.settings = settings.Validate();
        this.progress = progress;
        parameters = trainable.ToArray();
        if (parameters.Length == 0) throw new ArgumentException("Nothing to train: no parameters.", nameof(trainable));
        adamW = AdamWSettings.Reference with { LearningRate = settings.LearningRate, WeightDecay = settings.WeightDecay, GradientClipNorm = settings.GradientClipNorm };
        optimizer = optim.AdamW(parameters, lr: adamW.LearningRate, beta1: adamW.Beta1, beta2: adamW.Beta2, eps: adamW.Epsilon, weight_decay: adamW.WeightDecay);
        long warmup = Math.Min(settings.WarmupSteps, settings.Steps - 1);
        schedule = new ReferenceSchedule(settings.Steps, settings.Decay, settings.LearningRate, warmup, initRatio: 0.01, endRatio: settings.EndLearningRateRatio);
    }

    /// <summary>Steps taken.</summary>
    public int Step { get; private set; }

    /// <summary>Every step's loss, in order.</summary>
    public List<double> Losses { get; } = [];

    /// <summary>Backpropagates <paramref name="loss"/>, clips, updates, reports; returns the loss value.</summary>
    public double Update(Tensor loss, long batchTokens)
    {
        double value = loss.item<float>();
        if (!double.IsFinite(value))
            throw new InvalidOperationException($"Training stopped: the loss of step {Step + 1} is {value}; lower the learning rate.");
        optimizer.zero_grad();
        loss.backward();
        double norm = adamW.ClipGradients(parameters);
        double rate = schedule.LearningRate(Step);
        AdamWSettings.SetLearningRate(optimizer, rate);
        optimizer.step();
        Step++;
        tokens += batchTokens;
        Losses.Add(value);
        if (progress is not null)
        {
            var elapsed = clock.Elapsed;
            double perStep = elapsed.TotalSeconds / Step;
            progress.Report(new TrainingProgress(Step, settings.Steps, value, rate, norm, tokens / Math.Max(elapsed.TotalSeconds, 1e-9),
                tokens, elapsed, TimeSpan.FromSeconds(perStep * (settings.Steps - Step)), null, 0));
        }
        return value;
    }

    public void Dispose() => optimizer.Dispose();
}
