using Megalodon.ML.Model;

namespace Megalodon.ML.Inference;

/// <summary>Perplexity of a document when the model may read at most <see cref="ContextLength"/> tokens of it at a time.</summary>
/// <param name="ContextLength">Window length: the document is read in independent windows of this many tokens.</param>
/// <param name="Perplexity">exp(mean next-token NLL) over every scored token.</param>
/// <param name="ScoredTokens">Tokens scored (the same set for every context length).</param>
public sealed record ContextLengthPoint(int ContextLength, double Perplexity, long ScoredTokens);

/// <summary>
/// The paper's long-context evaluation: perplexity of one long document as a function of the context the model
/// may use. For each length c the document is cut into windows of c tokens, each read from a fresh streaming state;
/// longer windows give later tokens more context, so a model that uses long context shows falling perplexity.
/// </summary>
public static class LongContextEvaluator
{
    /// <summary>Evaluates <paramref name="document"/> at each context length.</summary>
    /// <param name="model">The model.</param>
    /// <param name="document">The document's token ids; it must be at least as long as the largest context length.</param>
    /// <param name="contextLengths">Window lengths to try, each positive.</param>
    /// <param name="startTokenId">Token fed before each window (the model's end-of-text separator) so every token is scored; null scores from each window's second token.</param>
    /// <param name="progress">Receives each point as it is computed.</param>
    /// <exception cref="ArgumentException">No lengths, a non-positive length, or a document shorter than the largest length.</exception>
    public static IReadOnlyList<ContextLengthPoint> Evaluate(MegalodonModel model, IReadOnlyList<int> document, IReadOnlyList<int> contextLengths,
        int? startTokenId, IProgress<ContextLengthPoint>? progress = null)
    {
        if (contextLengths.Count == 0) throw new ArgumentException("Give at least one context length.", nameof(contextLengths));
        if (contextLengths.Any(c => c <= 0)) throw new ArgumentException("Context lengths must be positive.", nameof(contextLengths));
        int longest = contextLengths.Max();
        if (document.Count < longest)
            throw new ArgumentException($"The document has {document.Count} tokens, fewer than the longest context length {longest}.", nameof(document));

        // Score the same tokens at every length: the longest multiple of the largest length, so every window is full.
        int usable = document.Count / longest * longest;
        var scorer = new SequenceScorer(model, PoolingMode.LastToken, startTokenId);
        var points = new List<ContextLengthPoint>();
        foreach (int length in contextLengths.Order())
        {
            double totalNll = 0;
            long scored = 0;
            for (int start = 0; start < usable; start += length)
            {
                // One window at a time: long windows stream, so memory stays bounded by the chunk size.
                var window = document.Skip(start).Take(Math.Min(length, usable - start)).ToArray();
                var score = scorer.Score([window])[0];
                totalNll += score.MeanNegativeLogLikelihood * score.ScoredTokens;
                scored += score.ScoredTokens;
            }
            var point = new ContextLengthPoint(length, Math.Exp(totalNll / scored), scored);
            points.Add(point);
            progress?.Report(point);
        }
        return points;
    }
}
