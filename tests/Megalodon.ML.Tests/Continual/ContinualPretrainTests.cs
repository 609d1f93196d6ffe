using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Continual;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.Reports;
using Microsoft.ML;
using static Megalodon.ML.Tests.Pretraining.PretrainTestData;

namespace Megalodon.ML.Tests.Continual;

[TestClass]
public sealed class ContinualPretrainTests
{
    private static readonly string[] NewDocuments =
    [
        "int main(void) { return printf(\"hello, kernel\\n\"); }",
        "static inline void spin_lock(spinlock_t *lock) { arch_spin_lock(lock); }",
        "for (i = 0; i < n; i++) sum += buffer[i] * weights[i];",
        "if (!ptr) return -ENOMEM; memset(ptr, 0, sizeof(*ptr));",
    ];

    private static ContinualPretrainEstimator.Options Continue(MegalodonLanguageModelTransformer? baseModel, MLContext ml) => new()
    {
        BaseModel = baseModel,
        MaxSteps = 4,
        BatchSize = 2,
        EvalInterval = 2,
        ValidationBatches = 1,
        ScheduleSettings = new ContinualScheduleSettings { MaxLearningRate = 3e-3, WarmupFraction = 0.25 },
        ValidationSets = new Dictionary<string, IDataView> { ["new"] = TextData(ml, NewDocuments), ["old"] = TextData(ml) },
        Seed = 3,
        Threads = 1,
    };

    [TestMethod]
    public void TheDataRecordSurvivesSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Transforms.Megalodon().Pretrain(Options(steps: 3)).Fit(TextData(ml));
        var record = model.DataRecord!;
        Assert.AreEqual(32, record.SequenceLength);
        Assert.AreEqual(6, record.WindowsSeen); // 3 steps of 2 windows
        Assert.AreEqual(5, record.DocumentCount); // one of six documents held out for validation
        Assert.AreEqual(7UL, record.StartPosition.PermutationSeed);
        using var scratch = new ScratchFolder();
        var path = scratch.File("m.zip");
        ml.Model.Save(model, TextData(ml).Schema, path);
        var loaded = (MegalodonLanguageModelTransformer)new MLContext().Model.Load(path, out _);
        using (loaded)
            Assert.AreEqual(record, loaded.DataRecord);
    }

    [TestMethod]
    public void TheDataRecordIsInCheckpointsAndSurvivesResume()
    {
        var ml = new MLContext(seed: 1);
        using var scratch = new ScratchFolder();
        var folder = scratch.File("ckpt");
        var o = Options(steps: 2, checkpoints: folder);
        using (var first = ml.Transforms.Megalodon().Pretrain(o).Fit(TextData(ml)))
        {
            using var checkpoint = new FolderCheckpointStore(folder).Load(2);
            Assert.AreEqual(first.DataRecord! with { DocumentCount = 0 }, checkpoint.State.DataRecord);
        }
        var resumed = Options(steps: 4, checkpoints: folder);
        resumed.ResumeFromCheckpoint = true;
        using var continued = ml.Transforms.Megalodon().Pretrain(resumed).Fit(TextData(ml));
        using var straight = ml.Transforms.Megalodon().Pretrain(Options(steps: 4)).Fit(TextData(ml));
        Assert.AreEqual(straight.DataRecord, continued.DataRecord);
        Assert.AreEqual(8, continued.DataRecord!.WindowsSeen);
    }

    [TestMethod]
    public void ContinualPretrainReturnsAWorkingModelAndAReport()
    {
        var ml = new MLContext(seed: 1);
        using var baseModel = ml.Transforms.Megalodon().Pretrain(Options(steps: 3)).Fit(TextData(ml));
        var o = Continue(baseModel, ml);
        o.ReplayData = TextData(ml); // all six documents: the five trained on are found as a prefix
        o.ReplayFraction = 0.25;
        using var model = ml.Transforms.Megalodon().ContinualPretrain(o).Fit(TextData(ml, NewDocuments));

        var report = model.ContinualReport!;
        CollectionAssert.AreEqual(new[] { "old", "new" }, report.SetNames.ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 2, 4 }, report.Evaluations.Select(e => e.Step).ToArray());
        Assert.IsTrue(report.Evaluations.All(e => e.Losses.Values.All(v => double.IsFinite(v) && v > 0)));
        var (first, last) = (report.Evaluations[0], report.Evaluations[^1]);
        Assert.AreEqual(0.0, first.Forgetting);
        Assert.AreEqual(last.Losses["old"] - first.Losses["old"], report.FinalForgetting!.Value, 1e-12);
        Assert.AreEqual(first.Losses["new"] - last.Losses["new"], report.FinalAdaptation!.Value, 1e-12);
        // Step 0 is the base model itself.
        var baseNll = baseModel.Score(NewDocuments).Average(s => s.MeanNegativeLogLikelihood);
        Assert.IsTrue(double.IsFinite(baseNll));

        var rows = ml.Data.CreateEnumerable<ContinualReportRow>(report.ToDataView(ml), reuseRowObject: false).ToList();
        Assert.HasCount(6, rows);
        Assert.AreEqual("old", rows.Single(r => r.Step == 4 && r.Set == "old").Role);
        Assert.AreEqual(report.FinalForgetting!.Value, rows.Single(r => r.Step == 4 && r.Set == "old").LossChange, 1e-12);

        using var scratch = new ScratchFolder();
        report.SaveCsv(scratch.File("report.csv"));
        report.SavePng(scratch.File("report.png"));
        var csv = Megalodon.Reports.CsvTable.Load(scratch.File("report.csv"));
        CollectionAssert.AreEqual(new[] { "step", "loss_old", "loss_new", "forgetting", "adaptation" }, csv.Header.ToArray());
        Assert.HasCount(3, csv.Rows);
        Assert.IsGreaterThan(0L, new FileInfo(scratch.File("report.png")).Length);

        // The same kind of model: scores, generates, and records the new data's order.
        Assert.IsTrue(model.Score(NewDocuments).All(s => double.IsFinite(s.MeanNegativeLogLikelihood)));
        Assert.IsNotNull(model.Generate("int ", new Megalodon.ML.Generation.GenerationOptions { MaxTokens = 4, Seed = 1 }));
        Assert.AreEqual(6, model.DataRecord!.WindowsSeen); // 8 windows, 2 of them replayed
        Assert.IsTrue(model.DataRecord.Matches(TokenStreamOf(NewDocuments)));
    }

    [TestMethod]
    public void ContinualPretrainFromACheckpointCanKeepTheOptimizerState()
    {
        var ml = new MLContext(seed: 1);
        using var scratch = new ScratchFolder();
        var folder = scratch.File("ckpt");
        using (ml.Transforms.Megalodon().Pretrain(Options(steps: 2, checkpoints: folder)).Fit(TextData(ml))) { }
        var o = Continue(null, ml);
        o.BaseCheckpointFolder = folder;
        o.ResetOptimizerState = false;
        o.ScheduleKind = ContinualScheduleKind.Constant;
        o.ReplayData = TextData(ml);
        o.ReplayFraction = 0.05;
        o.ReplayStart = ContinualReplayStart.FromBaseStart;
        o.MaxSteps = 2;
        using var model = ml.Transforms.Megalodon().ContinualPretrain(o).Fit(TextData(ml, NewDocuments));
        Assert.AreEqual(2, model.TrainingResult!.Steps);
        Assert.IsTrue(model.TrainingResult.History.All(h => Math.Abs(h.LearningRate - 3e-4) < 1e-15));
    }

    [TestMethod]
    public void ReplayDefaultsToTheWindowsTheBaseRunSawInItsOrder()
    {
        Assert.AreEqual(ContinualReplayStart.FromBaseStart, new ContinualPretrainEstimator.Options().ReplayStart);
        var ml = new MLContext(seed: 1);
        using var baseModel = ml.Transforms.Megalodon().Pretrain(Options(steps: 3)).Fit(TextData(ml));
        var record = baseModel.DataRecord!;
        var seen = SeenWindows(record);
        Assert.HasCount(6, seen);
        Assert.IsLessThan(record.WindowsPerEpoch, (long)seen.Count); // some windows were never seen

        // Half of 40 mixed windows are replayed: 20, more than the 6 seen, so replay wraps to the first seen window.
        var mix = Mixture(record, ContinualReplayStart.FromBaseStart);
        var replayed = ReplayedWindows(mix, windows: 40);
        Assert.HasCount(20, replayed);
        for (var i = 0; i < replayed.Count; i++)
            CollectionAssert.AreEqual(seen[i % seen.Count], replayed[i], $"replayed window {i} is not seen window {i % seen.Count}");
    }

    [TestMethod]
    public void ContinueAfterBaseReplaysTheWindowsAfterTheBaseRunsLast()
    {
        var ml = new MLContext(seed: 1);
        using var baseModel = ml.Transforms.Megalodon().Pretrain(Options(steps: 3)).Fit(TextData(ml));
        var record = baseModel.DataRecord!;
        var seen = SeenWindows(record);
        var replayed = ReplayedWindows(Mixture(record, ContinualReplayStart.ContinueAfterBase), windows: 4);
        var next = Window(record, record.EndPosition);
        CollectionAssert.AreEqual(next, replayed[0]);
        Assert.IsFalse(seen.Any(w => w.SequenceEqual(replayed[0])), "the first window after the base run was among its seen windows");

        // The option still trains through the estimator.
        var o = Continue(baseModel, ml);
        o.ReplayData = TextData(ml);
        o.ReplayFraction = 0.25;
        o.ReplayStart = ContinualReplayStart.ContinueAfterBase;
        using var model = ml.Transforms.Megalodon().ContinualPretrain(o).Fit(TextData(ml, NewDocuments));
        Assert.AreEqual(4, model.TrainingResult!.Steps);
        Assert.AreEqual(6, model.DataRecord!.WindowsSeen); // 8 windows, 2 of them replayed
    }

    // The windows of the base run's stream, from its recorded start, as it read them.
    private static List<long[]> SeenWindows(TrainingDataRecord record)
    {
        var source = BaseStream(record);
        source.Seek(record.StartPosition);
        using var batch = source.NextBatch((int)record.WindowsSeen);
        return Rows(batch);
    }

    private static long[] Window(TrainingDataRecord record, TokenSourcePosition position)
    {
        var source = BaseStream(record);
        source.Seek(position);
        using var batch = source.NextBatch(1);
        return Rows(batch)[0];
    }

    private static PackedTokenWindowSource BaseStream(TrainingDataRecord record) =>
        new(TokenStreamOf(Documents)[..(int)record.TokenCount], record.SequenceLength, seed: record.StartPosition.PermutationSeed, shuffle: record.Shuffled);

    private static ReplayTokenBatchSource Mixture(TrainingDataRecord record, ContinualReplayStart start) =>
        ContinualReplaySource.Mix(new PackedTokenWindowSource(TokenStreamOf(NewDocuments), record.SequenceLength, seed: 5),
            TokenStream.FromDocuments(Documents, ModelTokenizer.ByteLevel()), record, 0.5, start, seed: 3, warn: m => Assert.Fail(m));

    // The replayed rows among the first `windows` mixed windows, in order, read two at a time.
    private static List<long[]> ReplayedWindows(ReplayTokenBatchSource mix, int windows)
    {
        var replayed = new List<long[]>();
        for (var k = 0; k < windows; k += 2)
        {
            using var batch = mix.NextBatch(2);
            var rows = Rows(batch);
            for (var i = 0; i < 2; i++)
                if (mix.IsReplayWindow(k + i)) replayed.Add(rows[i]);
        }
        return replayed;
    }

    private static List<long[]> Rows(TorchSharp.torch.Tensor batch)
    {
        var width = (int)batch.shape[1];
        var data = batch.data<long>().ToArray();
        return Enumerable.Range(0, (int)batch.shape[0]).Select(r => data[(r * width)..((r + 1) * width)]).ToList();
    }

    [TestMethod]
    public void BadInputsGiveClearErrors()
    {
        var ml = new MLContext(seed: 1);
        using var scratch = new ScratchFolder();
        var folder = scratch.File("ckpt");
        using var baseModel = ml.Transforms.Megalodon().Pretrain(Options(steps: 2, checkpoints: folder)).Fit(TextData(ml));
        var newData = TextData(ml, NewDocuments);
        string Fails<T>(Action<ContinualPretrainEstimator.Options> change) where T : Exception
        {
            var o = Continue(baseModel, ml);
            change(o);
            return Assert.ThrowsExactly<T>(() => ml.Transforms.Megalodon().ContinualPretrain(o).Fit(newData)).Message;
        }

        StringAssert.Contains(Fails<ArgumentOutOfRangeException>(o => { o.ReplayFraction = 1; o.ReplayData = TextData(ml); }), "[0, 1)");
        StringAssert.Contains(Fails<ArgumentOutOfRangeException>(o => o.ReplayFraction = -0.1), "[0, 1)");
        StringAssert.Contains(Fails<ArgumentException>(o => o.ReplayFraction = 0.05), "no ReplayData");
        StringAssert.Contains(Fails<ArgumentException>(o => { o.ReplayFraction = 0.05; o.ReplayData = newData; }), "not the text the base model was trained on");
        StringAssert.Contains(Fails<ArgumentException>(o => o.BaseModel = null), "Give the base model");
        StringAssert.Contains(Fails<ArgumentException>(o => o.ResetOptimizerState = false), "BaseCheckpointFolder");
        StringAssert.Contains(Fails<ArgumentException>(o => o.Tokenizer = ModelTokenizer.ByteLevel(300)), "differs from the base model's");

        // A checkpoint of a different network than the base model.
        var otherFolder = scratch.File("other");
        var other = Options(steps: 2, checkpoints: otherFolder);
        other.Config = Config with { NumLayers = 1 };
        using (ml.Transforms.Megalodon().Pretrain(other).Fit(TextData(ml))) { }
        StringAssert.Contains(Fails<ArgumentException>(o => o.BaseCheckpointFolder = otherFolder), "config differs from the checkpoint's");
        StringAssert.Contains(Fails<ArgumentException>(o => { o.BaseModel = null; o.BaseCheckpointFolder = folder; o.Tokenizer = ModelTokenizer.ByteLevel(300); }), "differs from the checkpoint's");
    }

    private static int[] TokenStreamOf(IReadOnlyList<string> documents)
    {
        var tokenizer = ModelTokenizer.ByteLevel();
        var tokens = new List<int>();
        foreach (var d in documents)
        {
            if (tokens.Count > 0) tokens.Add(tokenizer.EndOfTextId);
            tokens.AddRange(tokenizer.Encode(d));
        }
        return tokens.ToArray();
    }
}
