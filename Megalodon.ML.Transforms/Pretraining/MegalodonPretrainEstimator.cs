using Megalodon.ML.Checkpoints;
using Megalodon.ML.Inference;
using Megalodon.ML.Model;
using Megalodon.ML.Runtime;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.Pretraining;

/// <summary>
/// Pretrains a Megalodon language model on a text column: documents are tokenised, joined with end-of-text
/// separators into one stream, and cut into windows for next-token training with AdamW and the reference's
/// warm-up + decay schedule. Fitting returns a <see cref="MegalodonLanguageModelTransformer"/>.
/// Create it with <c>mlContext.Transforms.Megalodon().Pretrain(...)</c>.
/// </summary>
public sealed class MegalodonPretrainEstimator : IEstimator<MegalodonLanguageModelTransformer>
{
    /// <summary>Options of <see cref="MegalodonPretrainEstimator"/>. Defaults follow the reference implementation where it has one.</summary>
    public sealed class Options
    {
        /// <summary>The text column to learn from (one document per row).</summary>
        public string TextColumnName = "Text";
        /// <summary>A named shape (tiny, bench, small, 200m, 1.3b, 7b), sized to the tokenizer's vocabulary; ignored when <see cref="Config"/> is set.</summary>
        public string Preset = "tiny";
        /// <summary>An explicit architecture; its vocabulary must hold the tokenizer's ids.</summary>
        public MegalodonConfig? Config;
        /// <summary>The tokenizer; null means GPT-2's (<see cref="ModelTokenizer.Default"/>). Use <see cref="ModelTokenizer.ByteLevel"/> for tiny models.</summary>
        public ModelTokenizer? Tokenizer;
        /// <summary>Tokens per training window: below the chunk size or a multiple of it.</summary>
        public int SequenceLength = 512;
        /// <summary>Windows per optimizer micro-batch.</summary>
        public int BatchSize = 8;
        /// <summary>Micro-batches accumulated per optimizer step.</summary>
        public int GradientAccumulationSteps = 1;
        /// <summary>Optimizer steps; give this or <see cref="TokenBudget"/>.</summary>
        public long? MaxSteps;
        /// <summary>Input tokens to train on, rounded up to whole steps; used when <see cref="MaxSteps"/> is null.</summary>
        public long? TokenBudget;
        /// <summary>Peak learning rate (reference: 1e-3).</summary>
        public double LearningRate = 1e-3;
        /// <summary>AdamW β1 (reference: 0.9).</summary>
        public double Beta1 = 0.9;
        /// <summary>AdamW β2 (reference: 0.98).</summary>
        public double Beta2 = 0.98;
        /// <summary>AdamW weight decay over all parameters (reference: 0.1).</summary>
        public double WeightDecay = 0.1;
        /// <summary>Global gradient-norm clip (reference: 1.0); 0 disables it.</summary>
        public double GradientClipNorm = 1.0;
        /// <summary>Linear warm-up steps; null means min(2000, 10% of the steps).</summary>
        public int? WarmupSteps;
        /// <summary>Decay after warm-up (reference: linear).</summary>
        public ReferenceDecay Decay = ReferenceDecay.Linear;
        /// <summary>A schedule replacing warm-up + decay, e.g. an infinite schedule for later continual pretraining.</summary>
        public LearningRateSchedule? Schedule;
        /// <summary>Held-out data with the same text column; when null, <see cref="ValidationFraction"/> of the documents are held out.</summary>
        public IDataView? ValidationData;
        /// <summary>Share of the documents (the last ones) held out for validation when no validation data is given; 0 for none.</summary>
        public double ValidationFraction = 0.05;
        /// <summary>Validate every this many steps (and at the end); 0 only at the end.</summary>
        public int EvalInterval = 100;
        /// <summary>Validation batches per evaluation.</summary>
        public int ValidationBatches = 8;
        /// <summary>Folder for checkpoints (kept for later probing); null for none.</summary>
        public string? CheckpointFolder;
        /// <summary>Checkpoint every this many steps; 0 only at the end.</summary>
        public int CheckpointInterval = 500;
        /// <summary>Extra steps to checkpoint at (e.g. log-spaced, for probing across pretraining; 0 keeps the initial weights); null for none.</summary>
        public IReadOnlyCollection<long>? CheckpointSteps;
        /// <summary>Continue from the latest checkpoint in <see cref="CheckpointFolder"/> instead of starting fresh.</summary>
        public bool ResumeFromCheckpoint;
        /// <summary>Seed for the initialisation and the data order; null derives one from the MLContext's seed.</summary>
        public int? Seed;
        /// <summary>cpu, cuda, cuda:N or auto; null uses the MLContext's <c>GpuDeviceId</c> and <c>FallbackToCpu</c> (no GPU id: the CPU).</summary>
        public string? Device;
        /// <summary>Intra-op threads during Fit (the previous count is restored afterwards); null leaves the current setting.</summary>
        public int? Threads;
        /// <summary>What to do with a NaN or infinite loss.</summary>
        public NonFiniteLossPolicy NonFiniteLoss = NonFiniteLossPolicy.Stop;
        /// <summary>Receives progress after every step.</summary>
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Cancels training (a checkpoint is written first when a folder is set).</summary>
        public CancellationToken CancellationToken;
        /// <summary>Output columns of the fitted model.</summary>
        public LanguageModelScoringOptions Scoring = new();
    }

    private readonly IHost _host;
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    internal MegalodonPretrainEstimator(IHostEnvironment environment, Options options)
    {
        _environment = environment;
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(MegalodonPretrainEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.TextColumnName, nameof(options.TextColumnName));
        _options = options;
    }

    private LanguageModelScoringOptions Scoring => _options.Scoring with { InputColumnName = _options.TextColumnName };

    /// <summary>The input schema plus the NLL, perplexity and embedding columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.CheckSchema(_host, inputSchema, _options.TextColumnName);
        var scoring = Scoring;
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[scoring.NegativeLogLikelihoodColumnName] = new SchemaShape.Column(scoring.NegativeLogLikelihoodColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[scoring.PerplexityColumnName] = new SchemaShape.Column(scoring.PerplexityColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[scoring.EmbeddingColumnName] = new SchemaShape.Column(scoring.EmbeddingColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Pretrains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">Bad data (missing or non-text column, empty text, no rows, too little text) or bad options; the message says which.</exception>
    public MegalodonLanguageModelTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var tokenizer = o.Tokenizer ?? ModelTokenizer.Default;
        var config = (o.Config ?? MegalodonPresets.ByName(o.Preset, tokenizer.VocabSize)).Validate();
        if (config.VocabSize < tokenizer.VocabSize)
            throw new ArgumentException($"The model's vocab_size ({config.VocabSize}) is smaller than the tokenizer's vocabulary ({tokenizer.VocabSize}).");
        config.CheckSequenceLength(o.SequenceLength);
        if (o.ValidationFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(o.ValidationFraction), o.ValidationFraction, "ValidationFraction must be in [0, 1).");

        using var channel = _host.Start("Pretrain");
        var (train, validation) = ReadData(input, tokenizer, channel);
        // Threads and the global generator are borrowed for the Fit and given back: no process-wide side effect.
        using var threads = ThreadCountScope.Use(o.Threads);
        var device = ContextDevice.Resolve(_environment, o.Device);
        int seed = o.Seed ?? _host.Rand.Next();
        using var seeded = GlobalRandomScope.Seeded(seed);
        var model = new MegalodonModel(config, device);
        ModelCreated?.Invoke(model);
        try
        {
            var trainerOptions = TrainerOptions(seed);
            long steps = trainerOptions.ResolveTotalSteps();
            channel.Info($"Pretraining {CountParameters(model):N0} parameters on {train.Tokens.Length:N0} tokens ({train.DocumentCount:N0} documents), {steps:N0} steps, device {device}, {threads.Count} thread(s), seed {seed}.");
            long uncovered = (train.Tokens.Length - 1) % o.SequenceLength;
            if (uncovered > 0)
                channel.Info($"{uncovered} trailing tokens are shorter than one window and are not trained on in an epoch.");

            if (o.CheckpointFolder is { } folder)
                TrainingRunFolder.Describe(folder, config, tokenizer);

            // The trainer keeps its checkpoints in a folder store over trainerOptions.CheckpointFolder.
            using var trainer = new LanguageModelTrainer(model, trainerOptions,
                new PackedTokenWindowSource(train.Tokens, o.SequenceLength, seed: (ulong)seed),
                validation is null ? null : new PackedTokenWindowSource(validation.Tokens, o.SequenceLength, shuffle: false));
            if (o.ResumeFromCheckpoint)
            {
                if (o.CheckpointFolder is null) throw new ArgumentException("ResumeFromCheckpoint needs a CheckpointFolder.");
                if (!trainer.ResumeFromLatestCheckpoint())
                    throw new ArgumentException($"ResumeFromCheckpoint is set but '{o.CheckpointFolder}' holds no checkpoint.");
                channel.Info($"Resumed from step {trainer.Step}.");
            }
            var result = trainer.Train(new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)), o.CancellationToken);
            if (result.FinalValidation is { } final)
                channel.Info($"Validation loss {final.Loss:F4}, perplexity {final.Perplexity:F2}.");
            model.eval();
            // Documents count lets a later replay find the trained prefix of the same documents.
            var record = trainer.DataRecord is { } r ? r with { DocumentCount = train.DocumentCount } : null;
            return new MegalodonLanguageModelTransformer(_host, model, tokenizer, Scoring) { TrainingResult = result, DataRecord = record };
        }
        catch
        {
            // A failed Fit (bad data met late, a throwing progress callback, cancellation) leaves nothing allocated.
            model.Dispose();
            throw;
        }
    }

    /// <summary>Called with the network as soon as Fit creates it (tests check that a failed Fit disposes it).</summary>
    internal Action<MegalodonModel>? ModelCreated { get; set; }

    private (TokenStream Train, TokenStream? Validation) ReadData(IDataView input, ModelTokenizer tokenizer, IChannel channel)
    {
        var o = _options;
        var documents = TextColumn.ReadAll(_host, input, o.TextColumnName, "training");
        List<string> trainDocuments = documents;
        List<string>? validationDocuments = null;
        if (o.ValidationData is not null)
            validationDocuments = TextColumn.ReadAll(_host, o.ValidationData, o.TextColumnName, "validation");
        else if (o.ValidationFraction > 0 && documents.Count > 1)
        {
            int held = Math.Max(1, (int)Math.Round(documents.Count * o.ValidationFraction));
            trainDocuments = documents.Take(documents.Count - held).ToList();
            validationDocuments = documents.Skip(documents.Count - held).ToList();
        }
        var train = TokenStream.FromDocuments(trainDocuments, tokenizer);
        if (train.Tokens.Length < o.SequenceLength + 1)
            throw new ArgumentException($"The training text of column '{o.TextColumnName}' has {train.Tokens.Length} tokens, fewer than one window of SequenceLength + 1 = {o.SequenceLength + 1}. Give more text or a shorter SequenceLength.");
        TokenStream? validation = validationDocuments is null ? null : TokenStream.FromDocuments(validationDocuments, tokenizer);
        if (validation is not null && validation.Tokens.Length < o.SequenceLength + 1)
        {
            if (o.ValidationData is not null)
                throw new ArgumentException($"The validation text has {validation.Tokens.Length} tokens, fewer than one window of {o.SequenceLength + 1}.");
            channel.Warning($"The held-out documents hold {validation.Tokens.Length} tokens, less than one window: training without validation.");
            validation = null;
        }
        return (train, validation);
    }

    private LanguageModelTrainerOptions TrainerOptions(int seed)
    {
        var o = _options;
        if (o.MaxSteps is null && o.TokenBudget is null)
            throw new ArgumentException("Give MaxSteps or TokenBudget: how long to train.");
        long steps = o.MaxSteps ?? LanguageModelTrainerOptions.StepsForTokenBudget(o.TokenBudget!.Value, o.BatchSize, o.SequenceLength, o.GradientAccumulationSteps);
        int warmup = o.WarmupSteps ?? (int)Math.Min(2000, steps / 10);
        return new LanguageModelTrainerOptions
        {
            BatchSize = o.BatchSize,
            SequenceLength = o.SequenceLength,
            GradientAccumulationSteps = o.GradientAccumulationSteps,
            TotalSteps = steps,
            Schedule = o.Schedule ?? new ReferenceSchedule(steps, o.Decay, o.LearningRate, warmupSteps: warmup),
            Optimizer = AdamWSettings.Reference with { LearningRate = o.LearningRate, Beta1 = o.Beta1, Beta2 = o.Beta2, WeightDecay = o.WeightDecay, GradientClipNorm = o.GradientClipNorm },
            EvalInterval = o.EvalInterval,
            ValidationBatches = o.ValidationBatches,
            CheckpointFolder = o.CheckpointFolder,
            CheckpointInterval = o.CheckpointInterval,
            CheckpointSteps = o.CheckpointSteps,
            Seed = seed,
            NonFiniteLoss = o.NonFiniteLoss,
        };
    }

    private static long CountParameters(MegalodonModel model) => model.parameters().Sum(p => p.numel());
}
