using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Data;

/// <summary>
/// Measures a language model's loss on the recall spans of a <see cref="SyntheticTokenStream"/>: for each span, one
/// fixed-length window ending just before the key's last token, so the model predicts every key token with up to
/// <c>contextLength</c> tokens of context. Works with any <c>Module&lt;Tensor, Tensor&gt;</c> LM.
/// </summary>
public static class RecallProbe
{
    /// <summary>Measures the mean summed loss over recalled keys.</summary>
    /// <param name="model">Tokens (B, L) int64 → logits (B, L, V).</param>
    /// <param name="stream">The packed corpus with its recall spans.</param>
    /// <param name="contextLength">Window length <c>L</c> fed to the model (use the training sequence length).</param>
    /// <param name="maxSpans">Measure at most this many spans (the first ones).</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    public static RecallProbeResult Measure(
        nn.Module<Tensor, Tensor> model, SyntheticTokenStream stream, int contextLength, int maxSpans = int.MaxValue, int batchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (contextLength > stream.Tokens.Length)
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, $"The stream holds only {stream.Tokens.Length} tokens.");
        var spans = stream.RecallSpans.Take(maxSpans).ToArray();
        foreach (var s in spans)
            if (s.Length > contextLength)
                throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, $"A key of {s.Length} tokens does not fit the window.");
        var device = model.parameters().First().device;

        double total = 0;
        long tokens = 0;
        var outOfContext = 0;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            for (var first = 0; first < spans.Length; first += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = spans.AsSpan(first, Math.Min(batchSize, spans.Length - first)).ToArray();
                var input = new long[batch.Length * contextLength];
                var starts = new int[batch.Length];
                for (var b = 0; b < batch.Length; b++)
                {
                    // The window's last input is the token before the key's last token.
                    var start = Math.Max(0, batch[b].End - 1 - contextLength);
                    starts[b] = start;
                    for (var j = 0; j < contextLength; j++)
                        input[b * contextLength + j] = stream.Tokens[start + j];
                    if (batch[b].PreviousStart < start)
                        outOfContext++;
                }
                var logProbs = model.call(torch.tensor(input, new long[] { batch.Length, contextLength }).to(device))
                    .to(ScalarType.Float32).log_softmax(-1).cpu();
                for (var b = 0; b < batch.Length; b++)
                {
                    for (var p = batch[b].Start; p < batch[b].End; p++)
                    {
                        // Position p is predicted by the logits at input index p − 1 − start.
                        total -= logProbs[b, p - 1 - starts[b], stream.Tokens[p]].item<float>();
                        tokens++;
                    }
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        var n = Math.Max(spans.Length, 1);
        return new RecallProbeResult(spans.Length, total / n, stream.ChanceRecallLoss, tokens > 0 ? total / tokens : double.NaN, outOfContext);
    }
}
