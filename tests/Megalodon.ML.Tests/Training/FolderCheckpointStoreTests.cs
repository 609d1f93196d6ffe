using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Training;

[TestClass]
public sealed class FolderCheckpointStoreTests
{
    [ClassCleanup]
    public static void CleanUp() => TrainingTestData.DeleteTempFolders();

    private static TrainingCheckpoint Sample(long step)
    {
        var model = new Dictionary<string, Tensor>
        {
            ["w"] = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3) / 7,
            ["b"] = torch.tensor(new[] { 1.5, -2.25 }, dtype: ScalarType.BFloat16),
            ["count"] = torch.tensor(42L),
            ["empty"] = torch.zeros(0, 4),
        };
        var optimizer = new Dictionary<string, Tensor>
        {
            ["w.exp_avg"] = torch.ones(2, 3) * 1e-3f,
            ["w.step"] = torch.tensor(7L),
        };
        var state = new TrainerState
        {
            Step = step,
            DataPosition = new TokenSourcePosition(1, 2, 3),
            DataStartPosition = TokenSourcePosition.Start(3),
            CpuRngState = new byte[] { 1, 2, 3 },
            Steps = new[] { new StepRecord(1, double.NaN, 1e-3, double.PositiveInfinity, 10, Skipped: true) },
        };
        return new TrainingCheckpoint(state, model, optimizer);
    }

    [TestMethod]
    public void RoundTripsTensorsAndStateExactly()
    {
        var store = new FolderCheckpointStore(TrainingTestData.TempFolder());
        using var saved = Sample(100);
        store.Save(saved);
        Assert.IsTrue(Directory.Exists(Path.Combine(store.Root, "step-000100")));
        CollectionAssert.AreEqual(new long[] { 100 }, store.ListSteps().ToArray());

        using var loaded = store.Load(100);
        Assert.AreEqual(100, loaded.Step);
        foreach (var (name, t) in saved.Model)
        {
            Assert.AreEqual(t.dtype, loaded.Model[name].dtype, name);
            CollectionAssert.AreEqual(t.shape, loaded.Model[name].shape, name);
            Assert.IsTrue(t.eq(loaded.Model[name]).all().item<bool>(), name);
        }
        Assert.AreEqual(7L, loaded.Optimizer["w.step"].item<long>());
        Assert.AreEqual(saved.State.DataPosition, loaded.State.DataPosition);
        CollectionAssert.AreEqual(saved.State.CpuRngState, loaded.State.CpuRngState);
        Assert.IsTrue(double.IsNaN(loaded.State.Steps[0].Loss));
        Assert.IsTrue(double.IsPositiveInfinity(loaded.State.Steps[0].GradientNorm));
    }

    [TestMethod]
    public void SavingTheSameStepReplacesItAndLeavesNoTemporaryFolders()
    {
        var store = new FolderCheckpointStore(TrainingTestData.TempFolder());
        using (var a = Sample(5)) store.Save(a);
        using (var b = Sample(5)) store.Save(b);
        CollectionAssert.AreEqual(new long[] { 5 }, store.ListSteps().ToArray());
        Assert.AreEqual(1, Directory.GetDirectories(store.Root).Length);
    }

    [TestMethod]
    public void IncompleteAndTemporaryFoldersAreNotListed()
    {
        var store = new FolderCheckpointStore(TrainingTestData.TempFolder());
        using (var a = Sample(3)) store.Save(a);
        Directory.CreateDirectory(Path.Combine(store.Root, ".tmp-step-000009-abc"));
        Directory.CreateDirectory(Path.Combine(store.Root, "step-000007")); // no checksums: never completed
        CollectionAssert.AreEqual(new long[] { 3 }, store.ListSteps().ToArray());
        store.RemoveTemporaryFolders();
        Assert.IsFalse(Directory.Exists(Path.Combine(store.Root, ".tmp-step-000009-abc")));
    }

    [TestMethod]
    public void DetectsEachKindOfDamage()
    {
        var store = new FolderCheckpointStore(TrainingTestData.TempFolder());
        using (var a = Sample(1)) store.Save(a);
        var folder = store.FolderOf(1);

        File.AppendAllText(Path.Combine(folder, FolderCheckpointStore.StateFile), " ");
        var ex = Assert.ThrowsExactly<TrainingCheckpointException>(() => store.Load(1));
        StringAssert.Contains(ex.Message, FolderCheckpointStore.StateFile);
        Assert.AreEqual(1, ex.Step);

        using (var b = Sample(1)) store.Save(b);
        File.Delete(Path.Combine(folder, FolderCheckpointStore.OptimizerFile));
        ex = Assert.ThrowsExactly<TrainingCheckpointException>(() => store.Load(1));
        StringAssert.Contains(ex.Message, "missing");

        Assert.ThrowsExactly<TrainingCheckpointException>(() => store.Load(2));
    }

    [TestMethod]
    public void CopyModelToChecksNamesAndShapes()
    {
        using var model = TinyLanguageModel.Create(seed: 1);
        using var other = TinyLanguageModel.Create(seed: 2, vocab: 19);
        var tensors = model.Snapshot();
        using var checkpoint = new TrainingCheckpoint(new TrainerState { DataPosition = TokenSourcePosition.Start(0), DataStartPosition = TokenSourcePosition.Start(0) }, tensors, new Dictionary<string, Tensor>());
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => checkpoint.CopyModelTo(other));
        StringAssert.Contains(ex.Message, "embed.weight");

        using var same = TinyLanguageModel.Create(seed: 3);
        checkpoint.CopyModelTo(same);
        Assert.AreEqual(0.0, TrainingTestData.MaxAbsDiff(model.Snapshot(), same.Snapshot()));
    }
}
