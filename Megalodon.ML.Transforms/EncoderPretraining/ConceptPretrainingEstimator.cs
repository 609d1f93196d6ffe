using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Runtime;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Ner;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.EncoderPretraining;

/// <summary>
/// NuNER's concept-contrastive pretraining (<see cref="ConceptContrastiveTrainer"/>) over an <see cref="IDataView"/> of
/// concept-annotated text in the columns of <c>mlContext.Data.LoadFromConceptJsonl</c> (Text, EntityStarts, EntityEnds,
/// Concepts; see <see cref="ConceptColumnNames"/>), e.g. the JSONL an <c>LlmConceptAnnotator</c> writes. It starts
/// from an (MLM-pretrained) encoder, with progress, checkpoints and resume as in <c>Pretrain</c>. Fitting returns a
/// <see cref="TextEncoderTransformer"/> holding the text encoder (for NuNER) and the concept encoder (for zero-shot tagging).
/// Create it with <c>mlContext.Transforms.Megalodon().PretrainConceptEncoder(...)</c>.
/// </summary>
public sealed class ConceptPretrainingEstimator : IEstimator<TextEncoderTransformer>
{
    /// <summary>Options of <see cref="ConceptPretrainingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The embedding column the fitted transformer adds (over the Text column).</summary>
        public string FeaturesColumnName = "Features";
        /// <summary>The encoder to start from (copied, not changed), typically the MLM estimator's; it wins over <see cref="EncoderPath"/>.</summary>
        public BidirectionalEncoder? Encoder;
        /// <summary>An encoder file to start from; with neither, a fresh encoder of <see cref="Preset"/>.</summary>
        public string? EncoderPath;
        /// <summary>The shape of a fresh encoder: tiny, small or base.</summary>
        public string Preset = "tiny";
        /// <summary>Optimizer steps; give this or <see cref="TokenBudget"/>.</summary>
        public int? MaxSteps;
        /// <summary>Input tokens to train on, rounded up to whole steps; used when <see cref="MaxSteps"/> is null.</summary>
        public long? TokenBudget;
        /// <summary>Sentences per step (the concepts of a batch are each other's negatives).</summary>
        public int BatchSize = 16;
        /// <summary>Longest sentence in tokens (spans past it are dropped).</summary>
        public int MaxTokens = 256;
        /// <summary>Peak learning rate.</summary>
        public double LearningRate = 1e-3;
        /// <summary>Share of the steps spent warming up.</summary>
        public double WarmupFraction = 0.1;
        /// <summary>Weight of the positive (token, concept) pairs; 1 is the paper's plain mean, more helps short runs.</summary>
        public double PositiveWeight = 1.0;
        /// <summary>Folder for checkpoints (both encoders, optimizer, step); null for none.</summary>
        public string? CheckpointFolder;
        /// <summary>Checkpoint every this many steps (and at the end).</summary>
        public int CheckpointInterval = 100;
        /// <summary>Continue from the latest checkpoint in <see cref="CheckpointFolder"/>.</summary>
        public bool ResumeFromCheckpoint;
        /// <summary>Seed of the data order; null draws one from the MLContext.</summary>
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

    internal ConceptPretrainingEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(ConceptPretrainingEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.FeaturesColumnName, nameof(options.FeaturesColumnName));
        if (options.MaxSteps is null && options.TokenBudget is null) throw new ArgumentException("Give MaxSteps or TokenBudget: how long to pretrain.", nameof(options));
        if (options.MaxSteps is <= 0 || options.TokenBudget is <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxSteps and TokenBudget must be positive.");
        if (options.ResumeFromCheckpoint && options.CheckpointFolder is null) throw new ArgumentException("ResumeFromCheckpoint needs a CheckpointFolder.", nameof(options));
        _options = options;
    }

    /// <summary>The input schema plus the embedding column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        EncoderPretrainingSchema.WithFeatures(_host, inputSchema, ConceptColumnNames.Text, _options.FeaturesColumnName);

    /// <summary>Pretrains on the concept annotations of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A concept column is missing or malformed, or no row has a concept span.</exception>
    public TextEncoderTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var sentences = input.ReadConceptSentences();
        using var channel = _host.Start("PretrainConceptEncoder");
        int threads = TorchDevices.ConfigureThreads(o.Threads);
        int seed = o.Seed ?? _host.Rand.Next();
        torch.manual_seed(seed);
        var text = o.Encoder?.Clone() ?? (o.EncoderPath is { } path ? EncoderFiles.LoadEncoder(path) : new BidirectionalEncoder(EncoderPretrainingSchema.Preset(o.Preset)));
        var concept = new ConceptEncoder(text);
        int steps = o.MaxSteps ?? EncoderPretrainingSchema.StepsForTokens(o.TokenBudget!.Value, o.BatchSize,
            sentences.Select(s => (double)Math.Min(System.Text.Encoding.UTF8.GetByteCount(s.Text), o.MaxTokens)).DefaultIfEmpty(1).Average());
        channel.Info($"Concept-contrastive pretraining on {sentences.Count:N0} sentences with {sentences.Sum(s => s.Entities.Count):N0} mentions, {steps:N0} steps, {threads} thread(s), seed {seed}.");
        var settings = new EncoderTrainingSettings
        {
            Steps = steps, BatchSize = o.BatchSize, LearningRate = o.LearningRate, WarmupSteps = (int)(steps * o.WarmupFraction), Seed = seed, MaxTokens = o.MaxTokens,
        };
        var checkpoints = o.CheckpointFolder is { } folder ? new EncoderCheckpointSettings { Folder = folder, Interval = o.CheckpointInterval, Resume = o.ResumeFromCheckpoint } : null;
        var result = ConceptContrastiveTrainer.Train(text, concept, sentences, settings, new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)),
            o.CancellationToken, o.PositiveWeight, checkpoints);
        channel.Info($"Concept loss {result.MeanOfFirst(10):F4} -> {result.MeanOfLast(10):F4} in {result.Elapsed.TotalSeconds:F0} s.");
        return new TextEncoderTransformer(_host, text, concept, ConceptColumnNames.Text, o.FeaturesColumnName, o.MaxTokens) { TrainingResult = result };
    }
}
