using Megalodon.ML.Training;
using static Megalodon.ML.Tests.Training.TrainingTestData;

namespace Megalodon.ML.Tests.Training;

[TestClass]
public sealed class LanguageModelTrainerTests
{
    [ClassCleanup]
    public static void CleanUp() => TrainingTestData.DeleteTempFolders();

    private const int Vocab = 17;
    private static readonly int[] Tokens = Stream(2000, Vocab, seed: 11);
    private static readonly int[] HeldOut = Stream(400, Vocab, seed: 12);

    private static LanguageModelTrainerOptions Options(int batch = 2, int accumulation = 2, long steps = 12) => new()
    {
        BatchSize = batch,
        SequenceLength = 8,
        GradientAccumulationSteps = accumulation,
        TotalSteps = steps,
        Schedule = new ReferenceSchedule(totalSteps: steps, peakLearningRate: 1e-2, warmupSteps: Math.Min(3, steps - 1)),
        Seed = 7,
    };

    private static PackedTokenWindowSource TrainSource() => new(Tokens, sequenceLength: 8, seed: 5);

    private static PackedTokenWindowSource ValidationSource() => new(HeldOut, sequenceLength: 8, shuffle: false);

    [TestMethod]
    public void ResumeAfterKillReproducesTheUninterruptedRunBitForBit()
    {
        var options = Options() with { CheckpointInterval = 4, EvalInterval = 4, ValidationBatches = 2 };

        // Uninterrupted.
        using var modelA = TinyLanguageModel.Create(seed: 1, dropout: 0.1);
        TrainingResult full;
        using (var trainer = new LanguageModelTrainer(modelA, options with { CheckpointFolder = TempFolder() }, TrainSource(), ValidationSource()))
            full = trainer.Train();
        Assert.AreEqual(12, full.Steps);

        // Killed at step 6, after the checkpoint of step 4 (the exception stands in for the process dying).
        var folder = TempFolder();
        using (var modelB = TinyLanguageModel.Create(seed: 1, dropout: 0.1))
        using (var trainer = new LanguageModelTrainer(modelB, options with { CheckpointFolder = folder }, TrainSource(), ValidationSource()))
        {
            var kill = new SyncProgress<TrainingProgress>(p => { if (p.Step == 6) throw new SimulatedCrash(); });
            Assert.ThrowsExactly<SimulatedCrash>(() => trainer.Train(kill));
        }
        CollectionAssert.AreEqual(new long[] { 4 }, new FolderCheckpointStore(folder).ListSteps().ToArray());

        // A new process: a model with other initial weights, a new source at its start, resumed from the checkpoint.
        using var modelC = TinyLanguageModel.Create(seed: 99, dropout: 0.1);
        using var resumed = new LanguageModelTrainer(modelC, options with { CheckpointFolder = folder }, TrainSource(), ValidationSource());
        Assert.IsTrue(resumed.ResumeFromLatestCheckpoint());
        Assert.AreEqual(4, resumed.Step);
        var result = resumed.Train();

        Assert.AreEqual(0.0, MaxAbsDiff(modelA.Snapshot(), modelC.Snapshot()), "final weights must match bit-for-bit");
        CollectionAssert.AreEqual(full.History.Select(r => r.Loss).ToArray(), result.History.Select(r => r.Loss).ToArray());
        CollectionAssert.AreEqual(full.History.Select(r => r.LearningRate).ToArray(), result.History.Select(r => r.LearningRate).ToArray());
        CollectionAssert.AreEqual(full.Validations.Select(v => v.Loss).ToArray(), result.Validations.Select(v => v.Loss).ToArray());
        Assert.AreEqual(full.TokensSeen, result.TokensSeen);
    }

    [TestMethod]
    public void CancellationSavesACheckpointThatResumesExactly()
    {
        var options = Options(steps: 10);
        using var modelA = TinyLanguageModel.Create(seed: 2, dropout: 0.2);
        TrainingResult full;
        using (var trainer = new LanguageModelTrainer(modelA, options, TrainSource()))
            full = trainer.Train();

        var folder = TempFolder();
        using var cts = new CancellationTokenSource();
        using (var modelB = TinyLanguageModel.Create(seed: 2, dropout: 0.2))
        using (var trainer = new LanguageModelTrainer(modelB, options with { CheckpointFolder = folder }, TrainSource()))
        {
            var cancelAt5 = new SyncProgress<TrainingProgress>(p => { if (p.Step == 5) cts.Cancel(); });
            Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Train(cancelAt5, cts.Token));
            Assert.AreEqual(5, trainer.Step);
        }
        CollectionAssert.AreEqual(new long[] { 5 }, new FolderCheckpointStore(folder).ListSteps().ToArray());

        using var modelC = TinyLanguageModel.Create(seed: 3, dropout: 0.2);
        using var resumed = new LanguageModelTrainer(modelC, options with { CheckpointFolder = folder }, TrainSource());
        Assert.IsTrue(resumed.ResumeFromLatestCheckpoint());
        var result = resumed.Train();
        Assert.AreEqual(0.0, MaxAbsDiff(modelA.Snapshot(), modelC.Snapshot()));
        CollectionAssert.AreEqual(full.History.Select(r => r.Loss).ToArray(), result.History.Select(r => r.Loss).ToArray());
    }

    [TestMethod]
    public void NonFiniteLossStopsWithTheStepNamed()
    {
        using var model = TinyLanguageModel.Create(seed: 4);
        model.NaNOnTrainingForward = 5; // accumulation 2: forward 5 is the first micro-batch of step 3
        using var trainer = new LanguageModelTrainer(model, Options() with { NonFiniteLoss = NonFiniteLossPolicy.Stop }, TrainSource());
        Dictionary<string, TorchSharp.torch.Tensor>? afterStep2 = null;
        var capture = new SyncProgress<TrainingProgress>(p => { if (p.Step == 2) afterStep2 = model.Snapshot(); });

        var ex = Assert.ThrowsExactly<NonFiniteLossException>(() => trainer.Train(capture));
        Assert.AreEqual(3, ex.Step);
        Assert.AreEqual("loss", ex.Quantity);
        StringAssert.Contains(ex.Message, "step 3");
        Assert.AreEqual(2, trainer.Step);
        Assert.IsNotNull(afterStep2);
        Assert.AreEqual(0.0, MaxAbsDiff(afterStep2, model.Snapshot()), "the failed step must not touch the weights");
    }

    [TestMethod]
    public void NonFiniteLossIsSkippedUnderSkipStep()
    {
        using var model = TinyLanguageModel.Create(seed: 4);
        model.NaNOnTrainingForward = 6; // second micro-batch of step 3
        using var trainer = new LanguageModelTrainer(model, Options(steps: 6) with { NonFiniteLoss = NonFiniteLossPolicy.SkipStep }, TrainSource());
        var result = trainer.Train();

        Assert.AreEqual(6, result.Steps);
        Assert.AreEqual(1, result.SkippedSteps);
        Assert.IsTrue(result.History[2].Skipped);
        Assert.IsTrue(double.IsNaN(result.History[2].Loss));
        Assert.IsFalse(result.History.Where((_, i) => i != 2).Any(r => r.Skipped || !double.IsFinite(r.Loss)));
        foreach (var (_, t) in model.Snapshot())
            Assert.IsTrue(t.isfinite().all().item<bool>(), "weights stay finite");
    }

    [TestMethod]
    public void GradientAccumulationMatchesTheLargerBatch()
    {
        using var big = TinyLanguageModel.Create(seed: 5);
        using var small = TinyLanguageModel.Create(seed: 5);
        TrainingResult a, b;
        using (var t = new LanguageModelTrainer(big, Options(batch: 4, accumulation: 1, steps: 4), TrainSource()))
            a = t.Train();
        using (var t = new LanguageModelTrainer(small, Options(batch: 2, accumulation: 2, steps: 4), TrainSource()))
            b = t.Train();

        Assert.IsTrue(MaxAbsDiff(big.Snapshot(), small.Snapshot()) <= 1e-6, $"weights differ by {MaxAbsDiff(big.Snapshot(), small.Snapshot())}");
        for (var i = 0; i < 4; i++)
            Assert.AreEqual(a.History[i].Loss, b.History[i].Loss, 1e-6);
        Assert.AreEqual(a.TokensSeen, b.TokensSeen);
    }

    [TestMethod]
    public void CorruptCheckpointIsDetected()
    {
        var folder = TempFolder();
        using (var model = TinyLanguageModel.Create(seed: 6))
        using (var trainer = new LanguageModelTrainer(model, Options(steps: 2) with { CheckpointFolder = folder }, TrainSource()))
            trainer.Train();

        var store = new FolderCheckpointStore(folder);
        var file = Path.Combine(store.FolderOf(2), FolderCheckpointStore.ModelFile);
        var bytes = File.ReadAllBytes(file);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        var ex = Assert.ThrowsExactly<TrainingCheckpointException>(() => store.Load(2));
        StringAssert.Contains(ex.Message, FolderCheckpointStore.ModelFile);
        StringAssert.Contains(ex.Message, "corrupt");

        using var other = TinyLanguageModel.Create(seed: 6);
        using var resumed = new LanguageModelTrainer(other, Options(steps: 2) with { CheckpointFolder = folder }, TrainSource());
        Assert.ThrowsExactly<TrainingCheckpointException>(() => resumed.ResumeFromLatestCheckpoint());
    }

    [TestMethod]
    public void ValidationMeasuresTheSameWindowsEveryTime()
    {
        using var model = TinyLanguageModel.Create(seed: 8);
        using var trainer = new LanguageModelTrainer(model, Options(steps: 30) with { ValidationBatches = 3 }, TrainSource(), ValidationSource());
        var before1 = trainer.Validate();
        var before2 = trainer.Validate();
        Assert.AreEqual(before1.Loss, before2.Loss);
        Assert.AreEqual(3 * 2 * 8, before1.Tokens);
        Assert.AreEqual(Math.Exp(before1.Loss), before1.Perplexity, 1e-12);
        Assert.AreEqual(Math.Log(Vocab), before1.Loss, 0.5, "an untrained model is near chance");

        var result = trainer.Train();
        Assert.IsNotNull(result.FinalValidation);
        Assert.IsTrue(result.FinalValidation.Loss < before1.Loss - 0.3, $"validation loss {before1.Loss} → {result.FinalValidation.Loss}");
        Assert.IsTrue(result.History[^1].Loss < result.History[0].Loss);
    }

    [TestMethod]
    public void ProgressReportsEveryStepWithConsistentCounters()
    {
        using var model = TinyLanguageModel.Create(seed: 9);
        var options = Options(steps: 5) with { EvalInterval = 2, ValidationBatches = 1 };
        using var trainer = new LanguageModelTrainer(model, options, TrainSource(), ValidationSource());
        var reports = new List<TrainingProgress>();
        trainer.Train(new SyncProgress<TrainingProgress>(reports.Add));

        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, reports.Select(r => r.Step).ToArray());
        Assert.IsTrue(reports.All(r => r.TotalSteps == 5 && r.TokensPerSecond > 0));
        CollectionAssert.AreEqual(new long[] { 32, 64, 96, 128, 160 }, reports.Select(r => r.TokensSeen).ToArray());
        Assert.IsNull(reports[0].LastValidationLoss);
        Assert.AreEqual(2, reports[1].LastValidation!.Step);
        Assert.AreEqual(4, reports[4].LastValidation!.Step);
        Assert.AreEqual(options.Schedule.LearningRate(0), reports[0].LearningRate);
        Assert.AreEqual(options.Schedule.LearningRate(4), reports[4].LearningRate);
        Assert.AreEqual(TimeSpan.Zero, reports[^1].EstimatedRemaining);
    }

    [TestMethod]
    public void TokenBudgetRoundsUpToWholeSteps()
    {
        var options = Options() with { TotalSteps = null, TokenBudget = 100 };
        Assert.AreEqual(4, options.ResolveTotalSteps()); // 32 tokens per step
        Assert.AreEqual(4, LanguageModelTrainerOptions.StepsForTokenBudget(100, batchSize: 2, sequenceLength: 8, gradientAccumulationSteps: 2));
        Assert.AreEqual(3, LanguageModelTrainerOptions.StepsForTokenBudget(96, batchSize: 2, sequenceLength: 8, gradientAccumulationSteps: 2));
        Assert.ThrowsExactly<ArgumentException>(() => (Options() with { TokenBudget = 100 }).Validate());
    }

    [TestMethod]
    public void KeepCheckpointsPrunesTheOldest()
    {
        var folder = TempFolder();
        using var model = TinyLanguageModel.Create(seed: 10);
        using var trainer = new LanguageModelTrainer(model, Options(steps: 6) with { CheckpointFolder = folder, CheckpointInterval = 1, KeepCheckpoints = 2 }, TrainSource());
        trainer.Train();
        CollectionAssert.AreEqual(new long[] { 5, 6 }, new FolderCheckpointStore(folder).ListSteps().ToArray());
    }

    [TestMethod]
    public void AllCheckpointsAreKeptByDefault()
    {
        var folder = TempFolder();
        using var model = TinyLanguageModel.Create(seed: 10);
        using var trainer = new LanguageModelTrainer(model, Options(steps: 4) with { CheckpointFolder = folder, CheckpointInterval = 1 }, TrainSource());
        trainer.Train();
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4 }, new FolderCheckpointStore(folder).ListSteps().ToArray());
    }

    [TestMethod]
    public void AFreshRunRefusesAFolderWithAnotherRunsCheckpoints()
    {
        var folder = TempFolder();
        using (var model = TinyLanguageModel.Create(seed: 10))
        using (var trainer = new LanguageModelTrainer(model, Options(steps: 1) with { CheckpointFolder = folder }, TrainSource()))
            trainer.Train();
        using var again = TinyLanguageModel.Create(seed: 10);
        using var second = new LanguageModelTrainer(again, Options(steps: 1) with { CheckpointFolder = folder }, TrainSource());
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => second.Train());
        StringAssert.Contains(ex.Message, nameof(LanguageModelTrainer.ResumeFromLatestCheckpoint));
    }

    [TestMethod]
    public void CheckpointRecordsTheDataOrderForReplay()
    {
        var folder = TempFolder();
        var source = TrainSource();
        using var model = TinyLanguageModel.Create(seed: 12);
        using var trainer = new LanguageModelTrainer(model, Options(steps: 3) with { CheckpointFolder = folder }, source);
        trainer.Train();
        using var checkpoint = new FolderCheckpointStore(folder).Load(3);
        Assert.AreEqual(TokenSourcePosition.Start(5), checkpoint.State.DataStartPosition);
        Assert.AreEqual(new TokenSourcePosition(0, 3 * 2 * 2, 5), checkpoint.State.DataPosition);
        Assert.AreEqual(source.WindowsPerEpoch, checkpoint.State.WindowsPerEpoch);
        Assert.AreEqual(3, checkpoint.State.Steps.Count);
        Assert.IsNotNull(checkpoint.State.CpuRngState);
    }

    [TestMethod]
    public void SourcesMustMatchTheSequenceLength()
    {
        using var model = TinyLanguageModel.Create(seed: 1);
        var wrong = new PackedTokenWindowSource(Tokens, sequenceLength: 9);
        Assert.ThrowsExactly<ArgumentException>(() => new LanguageModelTrainer(model, Options(), wrong));
        Assert.ThrowsExactly<ArgumentException>(() => new LanguageModelTrainer(model, Options() with { EvalInterval = 2 }, TrainSource()));
    }

    private sealed class SimulatedCrash : Exception;
}
