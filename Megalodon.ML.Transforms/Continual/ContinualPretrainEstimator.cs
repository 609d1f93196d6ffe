using Megalodon.ML.Model;
using Megalodon.ML.Runtime;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.Continual;

/// <summary>
/// Continual pre-training: starts from a fitted Megalodon language model or a pretraining checkpoint and trains on new
/// text, with a re-warm + re-decay, constant or infinite learning-rate schedule, optional compute-equivalent replay of
/// the data the base model saw (in its original order), the optimizer state reset or kept, and named validation sets
/// (old and new domain) measured before training and every <see cref="Options.EvalInterval"/> steps. Fitting returns a
/// <see cref="MegalodonLanguageModelTransformer"/> whose <see cref="MegalodonLanguageModelTransformer.ContinualReport"/>
/// holds the losses, forgetting and adaptation. Create it with <c>mlContext.Transforms.Megalodon().ContinualPretrain(...)</c>.
/// </summary>
public sealed class ContinualPretrainEstimator : IEstimator<MegalodonLanguageModelTransformer>
{
    /// <summary>Options of <see cref="ContinualPretrainEstimator"/>; defaults follow the continual pre-training paper where it has one.</summary>
    public sealed class Options
    {
        /// <summary>The text column of the new data, the replay data and the validation sets.</summary>
        public string TextColumnName = "Text";
        /// <summary>The fitted model to continue (its weights, tokenizer and data record); not changed by fitting.</summary>
        public MegalodonLanguageModelTransformer? BaseModel;
        /// <summary>The base model saved with <c>mlContext.Model.Save</c>, loaded by Fit (instead of <see cref="BaseModel"/>; so the pipeline composes before anything is fitted).</summary>
        public string? BaseModelPath;
        /// <summary>A saved base model from a stream (the catalog's stream overload).</summary>
        internal SavedLanguageModel? SavedBaseModel;
        /// <summary>A pretraining checkpoint folder to continue from (weights unless <see cref="BaseModel"/> is set, and the optimizer state).</summary>
        public string? BaseCheckpointFolder;
        /// <summary>The checkpoint step in <see cref="BaseCheckpointFolder"/>; null for the latest.</summary>
        public long? BaseCheckpointStep;
        /// <summary>The tokenizer, only needed when the checkpoint folder does not describe it; must match the base's.</summary>
        public ModelTokenizer? Tokenizer;
        /// <summary>The earlier documents (those the base model was trained on, same column), needed when <see cref="ReplayFraction"/> &gt; 0.</summary>
        public IDataView? ReplayData;
        /// <summary>Share of every batch's windows taken from <see cref="ReplayData"/>, in [0, 1); the new-data budget shrinks by it.</summary>
        public double ReplayFraction;
        /// <summary>Which earlier windows are replayed: those the base run saw, in its order (the paper's method, default), or fresh ones after its last.</summary>
        public ContinualReplayStart ReplayStart = ContinualReplayStart.FromBaseStart;
        /// <summary>The learning-rate schedule; ignored when <see cref="Schedule"/> is set.</summary>
        public ContinualScheduleKind ScheduleKind = ContinualScheduleKind.ReWarmReDecay;
        /// <summary>Peak rate, warm-up fraction, minimum ratio and infinite-schedule phase boundaries.</summary>
        public ContinualScheduleSettings ScheduleSettings = new();
        /// <summary>Any schedule, replacing <see cref="ScheduleKind"/>.</summary>
        public LearningRateSchedule? Schedule;
        /// <summary>Start with fresh AdamW moments (the paper's choice); false keeps those of the checkpoint.</summary>
        public bool ResetOptimizerState = true;
        /// <summary>AdamW hyper-parameters (the learning rate comes from the schedule).</summary>
        public AdamWSettings Optimizer = AdamWSettings.Reference;
        /// <summary>Named validation sets (same text column), for example "old" and "new".</summary>
        public IReadOnlyDictionary<string, IDataView>? ValidationSets;
        /// <summary>The validation set forgetting is measured on.</summary>
        public string OldValidationSetName = "old";
        /// <summary>The validation set adaptation is measured on.</summary>
        public string NewValidationSetName = "new";
        /// <summary>Measure the validation sets every this many steps (and before and after training); 0 only before and after.</summary>
        public int EvalInterval = 100;
        /// <summary>Batches measured per validation set.</summary>
        public int ValidationBatches = 8;
        /// <summary>Optimizer steps; give this or <see cref="TokenBudget"/> (new and replayed tokens together).</summary>
        public long? MaxSteps;
        /// <summary>Input tokens to train on, new and replayed together.</summary>
        public long? TokenBudget;
        /// <summary>Tokens per window; null uses the base run's (required for replay in the base order).</summary>
        public int? SequenceLength;
        /// <summary>Windows per micro-batch.</summary>
        public int BatchSize = 8;
        /// <summary>Micro-batches per optimizer step.</summary>
        public int GradientAccumulationSteps = 1;
        /// <summary>Folder for this run's checkpoints; null for none.</summary>
        public string? CheckpointFolder;
        /// <summary>Checkpoint every this many steps; 0 only at the end.</summary>
        public int CheckpointInterval = 500;
        /// <summary>Seed for the new data's order and dropout; null derives one from the MLContext's seed.</summary>
        public int? Seed;
        /// <summary>cpu, cuda, cuda:N or auto; null uses the MLContext's <c>GpuDeviceId</c> and <c>FallbackToCpu</c> (no GPU id: the CPU).</summary>
        public string? Device;
        /// <summary>Intra-op threads during Fit (the previous count is restored afterwards); null leaves the current setting.</summary>
        public int? Threads;
        /// <summary>What to do with a NaN or infinite loss.</summary>
        public NonFiniteLossPolicy NonFiniteLoss = NonFiniteLossPolicy.Stop;
        /// <summary>Receives progress after every step.</summary>
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Cancels training between steps.</summary>
        public CancellationToken CancellationToken;
        /// <summary>Output columns of the fitted model; null keeps the base model's (or the defaults).</summary>
        public LanguageModelScoringOptions? Scoring;
    }

    private readonly IHost _host;
    private readonly IHostEnvironment _environment;
    private readonly Options _options;
    private readonly SavedLanguageModel? _saved;

    internal ContinualPretrainEstimator(IHostEnvironment environment, Options options)
    {
        _environment = environment;
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(ContinualPretrainEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.TextColumnName, nameof(options.TextColumnName));
        if (new object?[] { options.BaseModel, options.BaseModelPath, options.SavedBaseModel }.Count(s => s is not null) > 1)
            throw new ArgumentException("Give one base model: BaseModel (a fitted language model) or BaseModelPath (a saved one).");
        _saved = options.SavedBaseModel ?? (options.BaseModelPath is { } path ? SavedLanguageModel.FromFile(path) : null);
        _options = options;
    }

    /// <summary>The input schema plus the NLL, perplexity and embedding columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.CheckSchema(_host, inputSchema, _options.TextColumnName);
        var scoring = Scoring(null);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[scoring.NegativeLogLikelihoodColumnName] = new SchemaShape.Column(scoring.NegativeLogLikelihoodColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[scoring.PerplexityColumnName] = new SchemaShape.Column(scoring.PerplexityColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[scoring.EmbeddingColumnName] = new SchemaShape.Column(scoring.EmbeddingColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }

    private LanguageModelScoringOptions Scoring(ContinualBase? start) =>
        (_options.Scoring ?? start?.Scoring ?? _options.BaseModel?.Scoring ?? _saved?.Scoring ?? new LanguageModelScoringOptions()) with { InputColumnName = _options.TextColumnName };

    /// <summary>Continues training the base model on <paramref name="input"/> (the new documents).</summary>
    /// <exception cref="ArgumentException">Bad options or data (replay fraction, missing replay data, a base that does not fit); the message says which.</exception>
    public MegalodonLanguageModelTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        if (!(o.ReplayFraction >= 0 && o.ReplayFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(o.ReplayFraction), o.ReplayFraction, "ReplayFraction must be in [0, 1).");
        if (o.ReplayFraction > 0 && o.ReplayData is null)
            throw new ArgumentException($"ReplayFraction is {o.ReplayFraction}, but there is no ReplayData: give the documents the base model was trained on.");
        if (o.MaxSteps is null == o.TokenBudget is null)
            throw new ArgumentException("Give exactly one of MaxSteps and TokenBudget: how long to train.");

        // A saved base model is loaded afresh for this Fit (its weights are copied into the new network).
        using var loaded = _saved?.Load();
        using var start = ContinualBase.Resolve(o, o.BaseModel ?? loaded);
        var tokenizer = start.Tokenizer;
        int sequenceLength = o.SequenceLength ?? start.DataRecord?.SequenceLength ?? 512;
        start.Config.CheckSequenceLength(sequenceLength);
        using var channel = _host.Start("ContinualPretrain");
        int seed = o.Seed ?? _host.Rand.Next();

        var newStream = TokenStream.FromDocuments(TextColumn.ReadAll(_host, input, o.TextColumnName, "training"), tokenizer);
        if (newStream.Tokens.Length < sequenceLength + 1)
            throw new ArgumentException($"The new text has {newStream.Tokens.Length} tokens, fewer than one window of {sequenceLength + 1}.");
        var newData = new PackedTokenWindowSource(newStream.Tokens, sequenceLength, seed: (ulong)seed);
        ITokenBatchSource train = o.ReplayFraction > 0
            ? ContinualReplaySource.Mix(newData, TokenStream.FromDocuments(TextColumn.ReadAll(_host, o.ReplayData!, o.TextColumnName, "replay"), tokenizer),
                start.DataRecord, o.ReplayFraction, o.ReplayStart, seed, message => channel.Warning(message))
            : newData;
        var validation = ValidationSources(tokenizer, sequenceLength);

        long steps = o.MaxSteps ?? LanguageModelTrainerOptions.StepsForTokenBudget(o.TokenBudget!.Value, o.BatchSize, sequenceLength, o.GradientAccumulationSteps);
        var schedule = o.Schedule ?? o.ScheduleSettings.Create(o.ScheduleKind, steps);
        var trainerOptions = new LanguageModelTrainerOptions
        {
            BatchSize = o.BatchSize,
            SequenceLength = sequenceLength,
            GradientAccumulationSteps = o.GradientAccumulationSteps,
            TotalSteps = steps,
            Schedule = schedule,
            Optimizer = o.Optimizer with { LearningRate = o.ScheduleSettings.MaxLearningRate },
            EvalInterval = validation.Count > 0 ? o.EvalInterval : 0,
            ValidationBatches = o.ValidationBatches,
            CheckpointFolder = o.CheckpointFolder,
            CheckpointInterval = o.CheckpointInterval,
            Seed = seed,
            NonFiniteLoss = o.NonFiniteLoss,
        };

        // Threads and the global generator are borrowed for the Fit and given back: no process-wide side effect.
        using var threads = ThreadCountScope.Use(o.Threads);
        var device = ContextDevice.Resolve(_environment, o.Device);
        using var seeded = GlobalRandomScope.Seeded(seed);
        var model = new MegalodonModel(start.Config, device);
        try
        {
            return Train(model, start, tokenizer, trainerOptions, train, validation, newStream, steps, schedule, seed, channel);
        }
        catch
        {
            // A failed Fit leaves nothing allocated.
            model.Dispose();
            throw;
        }
    }

    private MegalodonLanguageModelTransformer Train(MegalodonModel model, ContinualBase start, ModelTokenizer tokenizer, LanguageModelTrainerOptions trainerOptions,
        ITokenBatchSource train, IReadOnlyList<(string Name, ITokenBatchSource Source)> validation, TokenStream newStream, long steps,
        LearningRateSchedule schedule, int seed, IChannel channel)
    {
        var o = _options;
        start.CopyWeightsTo(model);
        if (o.CheckpointFolder is { } folder)
        {
            // The same layout as pretraining, so this run's checkpoints can be the base of the next one.
            TrainingRunFolder.Describe(folder, start.Config, tokenizer);
        }

        using var trainer = new LanguageModelTrainer(model, trainerOptions, train, validation.Count > 0 ? validation[0].Source : null);
        if (!o.ResetOptimizerState)
        {
            try { trainer.RestoreOptimizerState(start.Checkpoint!); }
            catch (InvalidDataException ex) { throw new ArgumentException($"The checkpoint's optimizer state does not fit the model: {ex.Message}", ex); }
        }
        var report = new ContinualTrainingReport(validation.Select(v => v.Name).ToList(),
            validation.Any(v => v.Name == o.OldValidationSetName) ? o.OldValidationSetName : null,
            validation.Any(v => v.Name == o.NewValidationSetName) ? o.NewValidationSetName : null);
        if (validation.Count > 0)
        {
            trainer.ValidationCompleted = first =>
            {
                // The trainer measured the first set; the others are measured on the same windows every time.
                var losses = new Dictionary<string, double> { [validation[0].Name] = first.Loss };
                foreach (var (name, source) in validation.Skip(1))
                    losses[name] = trainer.Measure(source).Loss;
                report.Add(first.Step, losses);
            };
            trainer.Validate();
        }

        channel.Info($"Continuing on {newStream.Tokens.Length:N0} new tokens, {steps:N0} steps, replay {o.ReplayFraction:P1} ({(o.ReplayStart == ContinualReplayStart.FromBaseStart ? "seen windows" : "fresh windows after the base run")}), schedule {schedule}, optimizer state {(o.ResetOptimizerState ? "reset" : "kept")}, seed {seed}.");
        var result = trainer.Train(new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)), o.CancellationToken);
        model.eval();
        var record = trainer.DataRecord is { } r ? r with { DocumentCount = newStream.DocumentCount } : null;
        return new MegalodonLanguageModelTransformer(_host, model, tokenizer, Scoring(start))
        {
            TrainingResult = result,
            DataRecord = record,
            ContinualReport = validation.Count > 0 ? report : null,
        };
    }

    /// <summary>The validation sets as fixed windows, the old set first, then the new set, then the others by name.</summary>
    private List<(string Name, ITokenBatchSource Source)> ValidationSources(ModelTokenizer tokenizer, int sequenceLength)
    {
        var o = _options;
        var sets = o.ValidationSets ?? new Dictionary<string, IDataView>();
        var ordered = sets.Keys.OrderBy(n => n == o.OldValidationSetName ? 0 : n == o.NewValidationSetName ? 1 : 2).ThenBy(n => n, StringComparer.Ordinal);
        var result = new List<(string, ITokenBatchSource)>();
        foreach (var name in ordered)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A validation set needs a name.");
            var stream = TokenStream.FromDocuments(TextColumn.ReadAll(_host, sets[name], o.TextColumnName, $"validation set '{name}'"), tokenizer);
            if (stream.Tokens.Length < sequenceLength + 1)
                throw new ArgumentException($"Validation set '{name}' has {stream.Tokens.Length} tokens, fewer than one window of {sequenceLength + 1}.");
            result.Add((name, new PackedTokenWindowSource(stream.Tokens, sequenceLength, shuffle: false)));
        }
        return result;
    }
}
