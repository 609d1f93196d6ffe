using System.Globalization;
using Megalodon.ML.Data;
using Megalodon.ML.Model;

namespace Megalodon.Cli.Pretraining;

/// <summary>
/// The main job's long-range check: the model's loss on recalled keys of a held-out synthetic corpus against chance,
/// and a one-line verdict.
/// </summary>
internal static class RecallReport
{
    /// <summary>At or below this share of the chance loss the key is clearly carried.</summary>
    public const double CarriedRatio = 0.5;

    /// <summary>Below this share of the chance loss the key is partly carried; above it the result is chance.</summary>
    public const double PartlyCarriedRatio = 0.9;

    /// <summary>Measures recall on a fresh corpus generated from <paramref name="corpus"/>.</summary>
    /// <param name="model">The trained model (byte-level vocabulary).</param>
    /// <param name="corpus">The held-out corpus settings.</param>
    /// <param name="contextLength">Window length, the training sequence length.</param>
    /// <param name="maxSpans">Most recall spans measured.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    public static RecallProbeResult Measure(MegalodonModel model, SyntheticCorpusOptions corpus, int contextLength, int maxSpans, int batchSize)
    {
        var stream = new SyntheticCorpus(corpus).ToByteTokens();
        return RecallProbe.Measure(model, stream, contextLength, maxSpans, batchSize);
    }

    /// <summary>
    /// For example <c>recall loss 0.41 nats vs chance 4.25 (256 keys recalled 10-80 tokens back, attention chunk 8):
    /// the model carries the key across attention chunks</c>.
    /// </summary>
    public static string Verdict(RecallProbeResult result, SyntheticCorpusOptions corpus, int chunkSize)
    {
        string verdict = result.MeanKeyLoss <= CarriedRatio * result.ChanceKeyLoss
            ? "the model carries the key across attention chunks"
            : result.MeanKeyLoss < PartlyCarriedRatio * result.ChanceKeyLoss
                ? "below chance: the model partly carries the key across attention chunks"
                : "not below chance: the model does not carry the key across attention chunks (yet)";
        var outOfContext = result.SpansOutOfContext > 0
            ? string.Create(CultureInfo.InvariantCulture, $", {result.SpansOutOfContext} with the earlier mention outside the window")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"recall loss {result.MeanKeyLoss:F2} nats vs chance {result.ChanceKeyLoss:F2} ({result.Spans} keys recalled {corpus.MinRecallDistance}-{corpus.MaxRecallDistance} tokens back{outOfContext}, attention chunk {chunkSize}): {verdict}");
    }
}
