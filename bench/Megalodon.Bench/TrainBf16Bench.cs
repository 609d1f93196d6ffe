using System.Diagnostics;
using Megalodon.ML.Model;
using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// A short bf16 training run through <see cref="LanguageModelTrainer"/>: Megalodon (default the bench preset) with
/// bf16 projections on fp32 master weights, on synthetic tokens that a model can learn quickly (random phrases,
/// each fixed once drawn), so the loss must fall. Reports the loss curve and tokens/s after the first step.
/// </summary>
internal static class TrainBf16Bench
{
    private const int PhraseCount = 64, PhraseLength = 16;
    private const double LearningRate = 3e-3;

    /// <summary>Runs it; returns false when the loss did not go down.</summary>
    public static bool Run(BenchOptions options, Device device)
    {
        var config = options.PresetConfig("bench");
        int length = options.Lengths[0], batch = options.Batch > 0 ? options.Batch : 4, steps = options.Steps > 0 ? options.Steps : 40;
        torch.manual_seed(options.Seed);
        using var model = new MegalodonModel(config, device);
        model.Precision.MatmulType = ScalarType.BFloat16;
        var trainerOptions = new LanguageModelTrainerOptions
        {
            BatchSize = batch, SequenceLength = length, TotalSteps = steps, Seed = options.Seed,
            Schedule = new ConstantSchedule(LearningRate, warmupSteps: Math.Max(1, steps / 8)),
            CheckpointAtEnd = false, CheckpointOnCancel = false,
        };
        var stream = PhraseStream(config.VocabSize, (long)batch * steps * length + 1, options.Seed);
        var source = new PackedTokenWindowSource(stream, length, (ulong)options.Seed);
        Console.WriteLine($"train-bf16: {BenchModel.ParameterCount(model):N0} parameters on {device}, bf16 projections, " +
                          $"{steps} steps of {batch} x {length} tokens, lr {LearningRate} (constant after warm-up), " +
                          $"synthetic stream of {PhraseCount} random {PhraseLength}-token phrases");

        var clock = new StepClock();
        using var trainer = new LanguageModelTrainer(model, trainerOptions, source);
        trainer.Train(clock);

        var table = new ResultTable("train-bf16", "step", "loss", "grad norm", "ms");
        foreach (var (record, ms) in trainer.History.Zip(clock.StepMilliseconds))
            table.Add(record.Step, record.Loss, record.GradientNorm, ms);
        table.Emit(options.OutDir);

        var losses = trainer.History.Select(r => r.Loss).ToArray();
        int window = Math.Max(1, Math.Min(5, losses.Length / 4));
        double first = losses.Take(window).Average(), last = losses.TakeLast(window).Average();
        // The first step pays for kernel selection and allocation: leave it out of the rate.
        double timedMs = clock.StepMilliseconds.Skip(1).Sum();
        double tokensPerSecond = timedMs > 0 ? (steps - 1) * trainerOptions.TokensPerStep / (timedMs / 1000.0) : double.NaN;
        bool fell = last < first && losses.All(double.IsFinite);
        var summary = new ResultTable("train-bf16-summary", "device", "params", "steps", "batch x length",
            $"mean loss of first {window}", $"mean loss of last {window}", "loss went down", "tokens/s (steps 2..)");
        summary.Add(device.ToString(), BenchModel.ParameterCount(model), steps, $"{batch} x {length}", first, last, fell ? "yes" : "NO", tokensPerSecond);
        summary.Emit(options.OutDir);
        return fell;
    }

    /// <summary>A stream of phrases drawn at random from a fixed set: within a phrase every next token is determined.</summary>
    private static int[] PhraseStream(int vocab, long length, int seed)
    {
        var random = new Random(seed);
        var phrases = Enumerable.Range(0, PhraseCount).Select(_ => Enumerable.Range(0, PhraseLength).Select(_ => random.Next(vocab)).ToArray()).ToArray();
        var stream = new int[checked((int)length)];
        for (int i = 0; i < stream.Length; i += PhraseLength)
        {
            var phrase = phrases[random.Next(PhraseCount)];
            Array.Copy(phrase, 0, stream, i, Math.Min(PhraseLength, stream.Length - i));
        }
        return stream;
    }

    /// <summary>Wall time of every step, from the trainer's synchronous per-step reports (each follows a loss read, a device sync).</summary>
    private sealed class StepClock : IProgress<TrainingProgress>
    {
        private long _last = Stopwatch.GetTimestamp();
        public List<double> StepMilliseconds { get; } = [];

        public void Report(TrainingProgress value)
        {
            long now = Stopwatch.GetTimestamp();
            StepMilliseconds.Add(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds);
            _last = now;
        }
    }
}
