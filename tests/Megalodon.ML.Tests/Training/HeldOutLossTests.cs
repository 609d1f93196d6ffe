using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Training;

[TestClass]
public sealed class HeldOutLossTests
{
    [TestMethod]
    public void MeasuresTheMeanCrossEntropyAndLeavesSourceAndModeAsTheyWere()
    {
        torch.manual_seed(3);
        using var model = new TinyLanguageModel();
        model.train();
        var source = new PackedTokenWindowSource(TrainingTestData.Stream(400), sequenceLength: 9, seed: 5);
        source.NextBatch(2).Dispose();
        var before = source.Position;

        var (loss, targets) = HeldOutLoss.Measure(model, source, batches: 3, batchSize: 2, torch.CPU);

        Assert.AreEqual(before, source.Position, "the source is moved back");
        Assert.IsTrue(model.training, "the model's training mode is restored");
        Assert.AreEqual(3L * 2 * 9, targets);
        // The same windows by hand: mean cross-entropy of the logits against the next tokens.
        double expected;
        model.eval();
        using (torch.no_grad())
        {
            double sum = 0;
            for (int i = 0; i < 3; i++)
            {
                using var windows = source.NextBatch(2);
                using var inputs = windows.narrow(1, 0, 9);
                using var next = windows.narrow(1, 1, 9);
                using var logits = model.call(inputs);
                using var ce = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), next.reshape(-1), reduction: nn.Reduction.Sum);
                sum += ce.item<float>();
            }
            expected = sum / targets;
        }
        Assert.AreEqual(expected, loss, 1e-5);
    }

    [TestMethod]
    public void RejectsEmptyMeasurements()
    {
        using var model = new TinyLanguageModel();
        var source = new PackedTokenWindowSource(TrainingTestData.Stream(100), sequenceLength: 9);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HeldOutLoss.Measure(model, source, 0, 2, torch.CPU));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HeldOutLoss.Measure(model, source, 1, 0, torch.CPU));
    }
}
