using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// The mean next-token loss of a model over held-out windows: the one measurement behind validation during training
/// and the evaluations of experiments, so that every number compared is computed the same way.
/// </summary>
public static class HeldOutLoss
{
    /// <summary>
    /// Measures the mean loss over the next <paramref name="batches"/> batches of <paramref name="source"/> (evaluation
    /// mode, no gradients), then moves the source back to where it was and restores the model's mode.
    /// </summary>
    /// <param name="model">Maps token ids [B, L] to logits [B, L, V].</param>
    /// <param name="source">Held-out windows.</param>
    /// <param name="batches">Batches to measure.</param>
    /// <param name="batchSize">Windows per batch.</param>
    /// <param name="device">Where the model lives.</param>
    /// <param name="paddingTokenId">A token id whose targets are ignored, if any.</param>
    /// <returns>The mean loss in nats per target token (NaN when no target was measured) and the targets counted.</returns>
    public static (double Loss, long Targets) Measure(
        nn.Module<Tensor, Tensor> model, ITokenBatchSource source, int batches, int batchSize, Device device, int? paddingTokenId = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batches);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var start = source.Position;
        var wasTraining = model.training;
        model.eval();
        double nll = 0;
        long count = 0;
        try
        {
            using var noGrad = torch.no_grad();
            for (var i = 0; i < batches; i++)
            {
                using var scope = torch.NewDisposeScope();
                var (inputs, targets) = LanguageModelLoss.SplitWindows(source.NextBatch(batchSize), paddingTokenId);
                targets = targets.to(device);
                var logits = model.call(inputs.to(device));
                nll += LanguageModelLoss.SummedCrossEntropy(logits, targets).to(ScalarType.Float64).item<double>();
                count += LanguageModelLoss.CountTargets(targets);
            }
        }
        finally
        {
            source.Seek(start);
            model.train(wasTraining);
        }
        return (count > 0 ? nll / count : double.NaN, count);
    }
}
