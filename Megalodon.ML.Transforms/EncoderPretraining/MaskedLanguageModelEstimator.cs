using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Runtime;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.EncoderPretraining;

/// <summary>
/// Masked-language-model pretraining of a bidirectional Megalodon encoder on a text column (whole-word masking, see
/// <see cref="MaskedLanguageModelTrainer"/>), with progress, checkpoints and resume as in <c>Pretrain</c>. Fitting returns a
/// <see cref="TextEncoderTransformer"/> whose encoder NuNER fine-tunes or concept pretraining continues.
/// Create it with <c>mlContext.Transforms.Megalodon().PretrainEncoder(...)</c>.
/// </summary>
public sealed class MaskedLanguageModelEstimator : IEstimator<TextEncoderTransformer>
{
    /// <summary>Options of <see cref="MaskedLanguageModelEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The text column (one document or sentence per row; long texts are cut into pieces of <see cref="MaxTokens"/>).</summary>
        public string TextColumnName = "Text";
        /// <summary>The embedding column the fitted transformer adds.</summary>
        public string FeaturesColumnName = "Features";
        /// <summary>A named encoder shape: tiny, small or base (<see cref="EncoderPresets"/>); ignored when <see cref="EncoderConfig"/> or <see cref="Encoder"/> is set.</summary>
        public string Preset = "tiny";
        /// <summary>An explicit encoder shape (one direction).</summary>
        public MegalodonConfig? EncoderConfig;
        /// <summary>An encoder to continue from (copied, not changed).</summary>
        public BidirectionalEncoder? Encoder;
        /// <summary>Optimizer steps; give this or <see cref="TokenBudget"/>.</summary>
        public int? MaxSteps;
        /// <summary>Input tokens (UTF-8 bytes) to train on, rounded up to whole steps; used when <see cref="MaxSteps"/> is null.</summary>
        public long? TokenBudget;
        /// <summary>Text pieces per step.</summary>
        public int BatchSize = 16;
        /// <summary>Longest piece in tokens.</summary>
        public int MaxTokens = 256;
        /// <summary>Peak learning rate.</summary>
        public double LearningRate = 2e-3;
        /// <summary>Share of the steps spent warming up.</summary>
        public double WarmupFraction = 0.1;
        /// <summary>Decay after warm-up.</summary>
        public ReferenceDecay LearningRateDecay = ReferenceDecay.Cosine;
        /// <summary>Share of words chosen for prediction.</summary>
        public double MaskRate = 0.15;
        /// <summary>Folder for checkpoints (weights, MLM head, optimizer, step); null for none.</summary>
        public string? CheckpointFolder;
        /// <summary>Checkpoint every this many steps (and at the end).</summary>
        public int CheckpointInterval = 100;
        /// <summary>Continue from the latest checkpoint in <see cref="CheckpointFolder"/> (the same data and options give the same data order).</summary>
        public bool ResumeFromCheckpoint;
        /// <summary>Seed of the initialisation, data order and masking; null draws one from the MLContext.</summary>
        public int? Seed;
        /// <summary>Intra-op threads; null leaves the current setting.</summary>
        public int? Threads;
        /// <summary>Receives progress after every step.</summary>
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Stops training between steps (the last checkpoint stays).</summary>
        public CancellationToken CancellationToken;
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal MaskedLanguageModelEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(MaskedLanguageModelEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.TextColumnName, nameof(options.TextColumnName));
        _host.CheckNonWhiteSpace(options.FeaturesColumnName, nameof(options.FeaturesColumnName));
        if (options.MaxSteps is null && options.TokenBudget is null) throw new ArgumentException("Give MaxSteps or TokenBudget: how long to pretrain.", nameof(options));
        if (options.MaxSteps is <= 0 || options.TokenBudget is <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxSteps and TokenBudget must be positive.");
        if (options.ResumeFromCheckpoint && options.CheckpointFolder is null) throw new ArgumentException("ResumeFromCheckpoint needs a CheckpointFolder.", nameof(options));
        _options = options;
    }

    /// <summary>The input schema plus the embedding column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        EncoderPretrainingSchema.WithFeatures(_host, inputSchema, _options.TextColumnName, _options.FeaturesColumnName);

    /// <summary>Pretrains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The text column is missing, or no row holds a word.</exception>
    public TextEncoderTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var texts = TextColumn.ReadAll(_host, input, o.TextColumnName, "training");
        using var channel = _host.Start("PretrainEncoder");
        int threads = TorchDevices.ConfigureThreads(o.Threads);
        int seed = o.Seed ?? _host.Rand.Next();
        torch.manual_seed(seed);
        var encoder = o.Encoder?.Clone() ?? new BidirectionalEncoder(o.EncoderConfig ?? EncoderPretrainingSchema.Preset(o.Preset));
        int steps = o.MaxSteps ?? EncoderPretrainingSchema.StepsForTokens(o.TokenBudget!.Value, o.BatchSize,
            texts.Select(t => (double)Math.Min(System.Text.Encoding.UTF8.GetByteCount(t), o.MaxTokens)).DefaultIfEmpty(1).Average());
        channel.Info($"MLM pretraining of a {encoder.parameters().Sum(p => p.numel()):N0}-parameter encoder on {texts.Count:N0} rows, {steps:N0} steps, {threads} thread(s), seed {seed}.");
        var settings = new EncoderTrainingSettings
        {
            Steps = steps, BatchSize = o.BatchSize, LearningRate = o.LearningRate, WarmupSteps = (int)(steps * o.WarmupFraction),
            Decay = o.LearningRateDecay, Seed = seed, MaxTokens = o.MaxTokens,
        };
        var checkpoints = o.CheckpointFolder is { } folder ? new EncoderCheckpointSettings { Folder = folder, Interval = o.CheckpointInterval, Resume = o.ResumeFromCheckpoint } : null;
        var result = MaskedLanguageModelTrainer.Train(encoder, texts, settings, o.MaskRate, new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)),
            o.CancellationToken, checkpoints);
        channel.Info($"MLM loss {result.MeanOfFirst(10):F4} -> {result.MeanOfLast(10):F4} in {result.Elapsed.TotalSeconds:F0} s.");
        return new TextEncoderTransformer(_host, encoder, null, o.TextColumnName, o.FeaturesColumnName, o.MaxTokens) { TrainingResult = result };
    }
}
