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

    /// <summary>CPU copies of the AdamW moments and step counts, by parameter index (the caller disposes them).</summary>
    public Dictionary<string, Tensor> CaptureState()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var states = States();
        using var noGrad = no_grad();
        for (int i = 0; i < states.Length; i++)
        {
            result[$"{i}.exp_avg"] = states[i].exp_avg.detach().cpu().clone();
            result[$"{i}.exp_avg_sq"] = states[i].exp_avg_sq.detach().cpu().clone();
            result[$"{i}.step"] = tensor(states[i].step);
        }
        return result;
    }

    /// <summary>Puts back a state from <see cref="CaptureState"/> with the step count and losses it was taken at.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or mis-shaped.</exception>
    public void RestoreState(IReadOnlyDictionary<string, Tensor> state, int step, IReadOnlyList<double> losses)
    {
        var states = States();
        using var noGrad = no_grad();
        for (int i = 0; i < states.Length; i++)
        {
            foreach (var (name, target) in new[] { ("exp_avg", states[i].exp_avg), ("exp_avg_sq", states[i].exp_avg_sq) })
            {
                if (!state.TryGetValue($"{i}.{name}", out var saved) || !saved.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"The checkpoint's optimizer state '{i}.{name}' is missing or does not fit parameter {i} ({string.Join("x", target.shape)}).");
                target.copy_(saved);
            }
            states[i].step = state.TryGetValue($"{i}.step", out var s) ? s.item<long>() : throw new InvalidDataException($"The checkpoint's optimizer state '{i}.step' is missing.");
        }
        Step = step;
        Losses.Clear();
        Losses.AddRange(losses);
    }

    private AdamW.State[] States()
    {
        var states = optimizer.state_dict().State;
        if (states.Count != parameters.Length)
            throw new InvalidOperationException($"The optimizer holds {states.Count} parameter states for {parameters.Length} parameters.");
        return states.Cast<AdamW.State>().ToArray();
    }

    public void Dispose() => optimizer.Dispose();
}
