using Megalodon.ML.Native;
using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// Trains any causal language model — a <c>Module&lt;Tensor, Tensor&gt;</c> mapping int64 tokens (B, L) to float
/// logits (B, L, V) — with AdamW, a learning-rate schedule, gradient accumulation, validation, and checkpoints from
/// which a run resumes bit-for-bit.
/// </summary>
/// <remarks>
/// <para>Each optimizer step: set the schedule's rate; read <c>A</c> micro-batches of <c>B</c> windows; backpropagate
/// each micro-batch's summed cross-entropy divided by the step's total target count (so the step's gradient is that of
/// the token-weighted mean over all <c>A·B</c> windows); clip the global norm; update.</para>
/// <para>A checkpoint holds the weights, the AdamW moments and step counts, the step (the schedule position), the data
/// position, the CPU generator state and the metrics so far. Resuming restores all of them, so the continued run
/// computes exactly what the uninterrupted one would (on the same device and thread count).</para>
/// </remarks>
public sealed class LanguageModelTrainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly (string Name, Parameter Parameter)[] _parameters;
    private readonly AdamW _optimizer;
    private readonly ITokenBatchSource _train;
    private readonly ITokenBatchSource? _validation;
    private readonly TokenSourcePosition? _validationStart;
    private readonly Device _device;
    private readonly List<StepRecord> _history = new();
    private readonly List<ValidationResult> _validations = new();
    private TokenSourcePosition _dataStart;
    private long _tokensSeen;
    private long _skipped;
    private double _elapsedBefore;
    private Stopwatch? _session;
    private bool _started;
    private long _lastSavedStep = -1;

    /// <summary>Creates a trainer (and its AdamW optimizer over all of the model's parameters).</summary>
    /// <param name="model">The language model, already on its device.</param>
    /// <param name="options">The run's settings.</param>
    /// <param name="trainData">Training windows of <c>L + 1</c> tokens.</param>
    /// <param name="validationData">Held-out windows; the first <c>ValidationBatches</c> batches from its current position are measured each time.</param>
    /// <param name="checkpointStore">Where checkpoints go; null uses a <see cref="FolderCheckpointStore"/> over <c>options.CheckpointFolder</c>, or none.</param>
    /// <exception cref="ArgumentException">The options are invalid or the sources do not match the sequence length.</exception>
    public LanguageModelTrainer(
        nn.Module<Tensor, Tensor> model,
        LanguageModelTrainerOptions options,
        ITokenBatchSource trainData,
        ITokenBatchSource? validationData = null,
        ITrainingCheckpointStore? checkpointStore = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trainData);
        options.Validate();
        if (trainData.WindowLength != options.SequenceLength + 1)
            throw new ArgumentException(
                $"The training source serves windows of {trainData.WindowLength} tokens; sequence length {options.SequenceLength} needs {options.SequenceLength + 1}.",
                nameof(trainData));
        if (validationData is not null && validationData.WindowLength != options.SequenceLength + 1)
            throw new ArgumentException(
                $"The validation source serves windows of {validationData.WindowLength} tokens; sequence length {options.SequenceLength} needs {options.SequenceLength + 1}.",
                nameof(validationData));
        if (options.EvalInterval > 0 && validationData is null)
            throw new ArgumentException($"{nameof(options.EvalInterval)} is set but there is no validation source.", nameof(validationData));

        _model = model;
        Options = options;
        TotalSteps = options.ResolveTotalSteps();
        _parameters = AdamWSettings.DistinctParameters(model);
        if (_parameters.Length == 0)
            throw new ArgumentException("The model has no parameters.", nameof(model));
        _device = _parameters[0].Parameter.device;
        _optimizer = options.Optimizer.Create(model);
        _train = trainData;
        _validation = validationData;
        _validationStart = validationData?.Position;
        _dataStart = trainData.Position;
        CheckpointStore = checkpointStore ?? (options.CheckpointFolder is { } folder ? new FolderCheckpointStore(folder) : null);
    }

    /// <summary>The run's settings.</summary>
    public LanguageModelTrainerOptions Options { get; }

    /// <summary>Steps planned.</summary>
    public long TotalSteps { get; }

    /// <summary>Optimizer steps completed (the next update uses the schedule's value at this step).</summary>
    public long Step { get; private set; }

    /// <summary>The optimizer (TorchSharp's AdamW).</summary>
    public AdamW Optimizer => _optimizer;

    /// <summary>Where checkpoints go, or null.</summary>
    public ITrainingCheckpointStore? CheckpointStore { get; }

    /// <summary>Every step so far (across resumes).</summary>
    public IReadOnlyList<StepRecord> History => _history;

    /// <summary>Every validation so far (across resumes).</summary>
    public IReadOnlyList<ValidationResult> Validations => _validations;

    /// <summary>What training data this run has read and in which order, when the training source can say.</summary>
    public TrainingDataRecord? DataRecord => _train.DescribeServed(_dataStart);

    /// <summary>
    /// Called after every validation (periodic, final, or <see cref="Validate"/>) with its result, on the training thread;
    /// use it to measure more validation sets with <see cref="Measure"/>.
    /// </summary>
    public Action<ValidationResult>? ValidationCompleted { get; set; }

    /// <summary>
    /// Trains until <see cref="TotalSteps"/>, reporting after each step. Validates every <c>EvalInterval</c> steps and at
    /// the end; checkpoints every <c>CheckpointInterval</c> steps, at the end, and on cancellation.
    /// </summary>
    /// <param name="progress">Receives a report after every step (called synchronously on the training thread).</param>
    /// <param name="cancellationToken">Stops training between steps (after saving a checkpoint, when configured).</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="NonFiniteLossException">A loss or gradient norm was not finite under <see cref="NonFiniteLossPolicy.Stop"/>.</exception>
    public TrainingResult Train(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // Dropout draws from TorchSharp's global generator (it takes no generator of its own): borrow it and give it back.
        using var callerRandom = Runtime.GlobalRandomScope.Saved();
        if (!_started && Step == 0)
        {
            // Checkpoints of another run would mix with this run's and be picked up by a later resume.
            if (CheckpointStore?.ListSteps() is { Count: > 0 } existing)
                throw new InvalidOperationException(
                    $"The checkpoint store already holds checkpoints (steps {string.Join(", ", existing)}). " +
                    $"Call {nameof(ResumeFromLatestCheckpoint)}() to continue that run, or use an empty folder.");
            // A fresh run: fix the generator so dropout masks depend on the seed only (the caller's state is restored after Train).
            torch.manual_seed(Options.Seed);
            _dataStart = _train.Position;
            // Step 0 in CheckpointSteps keeps the untrained weights (the start of a probing series).
            if (Options.CheckpointSteps?.Contains(0) == true)
                SaveCheckpointIfMissing();
        }
        _started = true;
        (CheckpointStore as FolderCheckpointStore)?.RemoveTemporaryFolders();

        _session = Stopwatch.StartNew();
        var sessionStartStep = Step;
        var sessionStartTokens = _tokensSeen;
        _model.train();
        try
        {
            while (Step < TotalSteps)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    if (Options.CheckpointOnCancel && Step > 0)
                        SaveCheckpointIfMissing();
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var record = RunStep();
                _history.Add(record);

                if (Options.EvalInterval > 0 && Step % Options.EvalInterval == 0)
                    RunValidation();
                if ((Options.CheckpointInterval > 0 && Step % Options.CheckpointInterval == 0) || Options.CheckpointSteps?.Contains(Step) == true)
                    SaveCheckpointIfMissing();

                if (progress is not null)
                {
                    var seconds = Math.Max(_session.Elapsed.TotalSeconds, 1e-9);
                    var stepsDone = Step - sessionStartStep;
                    progress.Report(new TrainingProgress(
                        Step, TotalSteps, record.Loss, record.LearningRate, record.GradientNorm,
                        (_tokensSeen - sessionStartTokens) / seconds, _tokensSeen, ElapsedTotal,
                        TimeSpan.FromSeconds(seconds / stepsDone * (TotalSteps - Step)),
                        _validations.Count > 0 ? _validations[^1] : null, _skipped));
                }
            }

            if (_validation is not null && (_validations.Count == 0 || _validations[^1].Step != Step))
                RunValidation();
            if (Options.CheckpointAtEnd)
                SaveCheckpointIfMissing();
        }
        finally
        {
            _elapsedBefore = ElapsedTotal.TotalSeconds;
            _session = null;
            // The heap policy keeps the steps' temporaries for reuse; training is over, so give them back.
            NativeHeap.Trim();
        }

        return new TrainingResult(
            Step, _tokensSeen, _skipped, _history.Count > 0 ? _history[^1].Loss : double.NaN,
            _validations.Count > 0 ? _validations[^1] : null, ElapsedTotal, _history.ToArray(), _validations.ToArray());
    }

    /// <summary>Training time since the start of the run (across resumes).</summary>
    public TimeSpan ElapsedTotal => TimeSpan.FromSeconds(_elapsedBefore + (_session?.Elapsed.TotalSeconds ?? 0));

    private StepRecord RunStep()
    {
        using var scope = torch.NewDisposeScope();
        var stepNumber = Step + 1;
        var lr = Options.Schedule.LearningRate(Step);
        AdamWSettings.SetLearningRate(_optimizer, lr);
        if (_device.type == DeviceType.CUDA)
            // CUDA generator state is not captured; re-seeding from (seed, step) keeps dropout reproducible across resumes.
            torch.cuda.manual_seed_all((long)DeterministicRandom.Mix((ulong)Options.Seed, (ulong)Step));

        var micro = new (Tensor Inputs, Tensor Targets)[Options.GradientAccumulationSteps];
        long targets = 0;
        for (var a = 0; a < micro.Length; a++)
        {
            var (inputs, tgt) = LanguageModelLoss.SplitWindows(_train.NextBatch(Options.BatchSize), Options.PaddingTokenId);
            micro[a] = (inputs.to(_device), tgt.to(_device));
            targets += LanguageModelLoss.CountTargets(micro[a].Targets);
        }
        _tokensSeen += Options.TokensPerStep;

        _optimizer.zero_grad();
        // Each micro-batch contributes sum / (targets of the whole step): the accumulated gradient is the full batch's mean.
        var scale = 1.0 / Math.Max(targets, 1);
        double lossSum = 0;
        var finite = true;
        foreach (var (inputs, tgt) in micro)
        {
            using var inner = torch.NewDisposeScope();
            var logits = _model.call(inputs);
            var summed = LanguageModelLoss.SummedCrossEntropy(logits, tgt);
            var value = summed.item<float>();
            lossSum += value;
            if (!float.IsFinite(value))
            {
                finite = false;
                break;
            }
            summed.mul(scale).backward();
        }
        var loss = lossSum * scale;

        if (!finite)
            return NonFinite(stepNumber, "loss", loss, lr, double.NaN);
        var norm = Options.Optimizer.ClipGradients(_parameters.Select(p => p.Parameter));
        if (!double.IsFinite(norm))
            return NonFinite(stepNumber, "gradient norm", loss, lr, norm);

        _optimizer.step();
        Step = stepNumber;
        return new StepRecord(stepNumber, loss, lr, norm, _tokensSeen, Skipped: false);
    }

    private StepRecord NonFinite(long stepNumber, string quantity, double loss, double lr, double norm)
    {
        _optimizer.zero_grad();
        if (Options.NonFiniteLoss == NonFiniteLossPolicy.Stop)
            throw new NonFiniteLossException(stepNumber, quantity, quantity == "loss" ? loss : norm);
        _skipped++;
        Step = stepNumber;
        return new StepRecord(stepNumber, loss, lr, norm, _tokensSeen, Skipped: true);
    }

    /// <summary>
    /// Measures the mean loss and perplexity over the validation source's fixed windows (the same ones every time),
    /// in evaluation mode without gradients, and records it.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no validation source.</exception>
    public ValidationResult Validate() => RunValidation();

    private ValidationResult RunValidation()
    {
        if (_validation is null || _validationStart is null)
            throw new InvalidOperationException("The trainer has no validation source.");
        _validation.Seek(_validationStart);
        var result = Measure(_validation);
        _validations.Add(result);
        ValidationCompleted?.Invoke(result);
        return result;
    }

    /// <summary>
    /// Measures the mean loss over the first <c>ValidationBatches</c> batches of <paramref name="source"/> from its
    /// current position (evaluation mode, no gradients), then moves the source back; nothing is recorded.
    /// </summary>
    /// <param name="source">Held-out windows of the run's window length.</param>
    /// <exception cref="ArgumentException">The source's windows do not fit the sequence length.</exception>
    public ValidationResult Measure(ITokenBatchSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.WindowLength != Options.SequenceLength + 1)
            throw new ArgumentException($"The source serves windows of {source.WindowLength} tokens; this run needs {Options.SequenceLength + 1}.", nameof(source));
        var (loss, count) = HeldOutLoss.Measure(_model, source, Options.ValidationBatches, Options.BatchSize, _device, Options.PaddingTokenId);
        return new ValidationResult(Step, loss, Math.Exp(loss), count);
    }

    /// <summary>
    /// Snapshots the run: CPU copies of the model's <c>state_dict()</c>, the AdamW state of every parameter, and the
    /// trainer state (step, data position, generator state, counters, metrics). The caller disposes it.
    /// </summary>
    public TrainingCheckpoint CaptureCheckpoint()
    {
        var model = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var optimizer = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            foreach (var (name, tensor) in _model.state_dict())
                model[name] = Snapshot(tensor);
            var states = OptimizerStates();
            for (var i = 0; i < _parameters.Length; i++)
            {
                var name = _parameters[i].Name;
                optimizer[name + TrainingCheckpoint.ExpAvgSuffix] = Snapshot(states[i].exp_avg);
                optimizer[name + TrainingCheckpoint.ExpAvgSqSuffix] = Snapshot(states[i].exp_avg_sq);
                optimizer[name + TrainingCheckpoint.StepSuffix] = torch.tensor(states[i].step).DetachFromDisposeScope();
            }
        }
        using var rng = torch.get_rng_state();
        var state = new TrainerState
        {
            Step = Step,
            TotalSteps = TotalSteps,
            TokensSeen = _tokensSeen,
            SkippedSteps = _skipped,
            ElapsedSeconds = ElapsedTotal.TotalSeconds,
            Seed = Options.Seed,
            DataPosition = _train.Position,
            DataStartPosition = _dataStart,
            WindowsPerEpoch = _train.WindowsPerEpoch,
            DataRecord = DataRecord,
            CpuRngState = rng.bytes.ToArray(),
            BatchSize = Options.BatchSize,
            SequenceLength = Options.SequenceLength,
            GradientAccumulationSteps = Options.GradientAccumulationSteps,
            Schedule = Options.Schedule.ToString(),
            Steps = _history.ToArray(),
            Validations = _validations.ToArray(),
        };
        return new TrainingCheckpoint(state, model, optimizer);
    }

    /// <summary>Saves a checkpoint of the current step to the store (and prunes old ones when configured).</summary>
    /// <exception cref="InvalidOperationException">The trainer has no checkpoint store.</exception>
    public void SaveCheckpoint()
    {
        var store = CheckpointStore ?? throw new InvalidOperationException("The trainer has no checkpoint store.");
        using (var checkpoint = CaptureCheckpoint())
            store.Save(checkpoint);
        if (Options.KeepCheckpoints is { } keep)
        {
            var steps = store.ListSteps();
            for (var i = 0; i < steps.Count - keep; i++)
                store.Delete(steps[i]);
        }
    }

    private void SaveCheckpointIfMissing()
    {
        if (CheckpointStore is not null && _lastSavedStep != Step)
        {
            SaveCheckpoint();
            _lastSavedStep = Step;
        }
    }

    /// <summary>
    /// Resumes from the newest checkpoint in the store. Returns false (and changes nothing) when there is none.
    /// </summary>
    /// <exception cref="TrainingCheckpointException">The newest checkpoint is damaged (delete it to fall back to an older one).</exception>
    public bool ResumeFromLatestCheckpoint()
    {
        var store = CheckpointStore ?? throw new InvalidOperationException("The trainer has no checkpoint store.");
        var steps = store.ListSteps();
        if (steps.Count == 0)
            return false;
        using var checkpoint = store.Load(steps[^1]);
        Resume(checkpoint);
        return true;
    }

    /// <summary>
    /// Restores a run from <paramref name="checkpoint"/>: weights, AdamW state, step, data position, generator state,
    /// counters and metrics. Call before <see cref="Train"/>.
    /// </summary>
    /// <param name="checkpoint">A snapshot of a run of the same model and data.</param>
    /// <exception cref="InvalidDataException">The checkpoint does not fit the model, optimizer or data.</exception>
    public void Resume(TrainingCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var state = checkpoint.State;
        if (state.WindowsPerEpoch != 0 && state.WindowsPerEpoch != _train.WindowsPerEpoch)
            throw new InvalidDataException(
                $"The checkpoint of step {state.Step} was trained on {state.WindowsPerEpoch} windows per epoch; this source has {_train.WindowsPerEpoch}.");
        if (state.DataRecord is { } saved && _train.DescribeServed(_train.Position) is { } current && saved.Fingerprint != current.Fingerprint)
            throw new InvalidDataException(
                $"The checkpoint of step {state.Step} was trained on another token stream (fingerprint {saved.Fingerprint}, {saved.TokenCount} tokens); this source's is {current.Fingerprint} ({current.TokenCount} tokens).");

        checkpoint.CopyModelTo(_model);
        RestoreOptimizerState(checkpoint);
        _train.Seek(state.DataPosition);
        if (state.CpuRngState is { } rng)
        {
            using var rngTensor = torch.tensor(rng, dtype: ScalarType.Byte);
            torch.set_rng_state(rngTensor);
        }
        Step = state.Step;
        _tokensSeen = state.TokensSeen;
        _skipped = state.SkippedSteps;
        _elapsedBefore = state.ElapsedSeconds;
        _dataStart = state.DataStartPosition;
        _history.Clear();
        _history.AddRange(state.Steps);
        _validations.Clear();
        _validations.AddRange(state.Validations);
        _started = true;
        _lastSavedStep = state.Step;
    }

    /// <summary>
    /// Copies only the AdamW moments and step counts of <paramref name="checkpoint"/> into this trainer's optimizer
    /// (continual pre-training that keeps the optimizer state); weights, step and data position are left alone.
    /// </summary>
    /// <param name="checkpoint">A snapshot of a run of the same model.</param>
    /// <exception cref="InvalidDataException">A tensor is missing or does not fit.</exception>
    public void RestoreOptimizerState(TrainingCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var states = OptimizerStates();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var name = _parameters[i].Name;
            TrainingCheckpoint.CopyInto(states[i].exp_avg, Require(checkpoint, name + TrainingCheckpoint.ExpAvgSuffix), name + TrainingCheckpoint.ExpAvgSuffix, checkpoint.Step);
            TrainingCheckpoint.CopyInto(states[i].exp_avg_sq, Require(checkpoint, name + TrainingCheckpoint.ExpAvgSqSuffix), name + TrainingCheckpoint.ExpAvgSqSuffix, checkpoint.Step);
            states[i].step = Require(checkpoint, name + TrainingCheckpoint.StepSuffix).item<long>();
        }
    }

    private static Tensor Require(TrainingCheckpoint checkpoint, string name) =>
        checkpoint.Optimizer.TryGetValue(name, out var t)
            ? t
            : throw new InvalidDataException($"The checkpoint of step {checkpoint.Step} has no optimizer tensor '{name}'.");

    private AdamW.State[] OptimizerStates()
    {
        var states = _optimizer.state_dict().State;
        if (states.Count != _parameters.Length)
            throw new InvalidOperationException($"The optimizer holds {states.Count} parameter states for {_parameters.Length} parameters.");
        return states.Cast<AdamW.State>().ToArray();
    }

    private static Tensor Snapshot(Tensor t) => t.detach().to(CPU).clone().DetachFromDisposeScope();

    /// <summary>Disposes the optimizer (not the model or the data sources).</summary>
    public void Dispose() => _optimizer.Dispose();
}
