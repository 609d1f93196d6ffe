namespace Megalodon.ML.Data;

/// <summary>
/// A synthetic corpus as one packed byte-level token stream: each document's bytes (ids 0–255) followed by the
/// end-of-text id, with the recall spans in stream offsets.
/// </summary>
/// <param name="Tokens">The packed token ids.</param>
/// <param name="RecallSpans">Recall spans with stream offsets (<see cref="RecallSpan.Start"/> etc. count tokens from the stream start).</param>
/// <param name="DocumentStarts">Stream offset of each document's first token.</param>
/// <param name="EndOfTextId">The separator id after each document.</param>
/// <param name="KeyCount">Size of the key set (chance loss per recalled key is its natural log).</param>
public sealed record SyntheticTokenStream(
    int[] Tokens, IReadOnlyList<RecallSpan> RecallSpans, IReadOnlyList<int> DocumentStarts, int EndOfTextId, long KeyCount)
{
    /// <summary>Vocabulary size the stream needs: 256 bytes plus the separator.</summary>
    public int VocabularySize => Math.Max(256, EndOfTextId + 1);

    /// <summary>The loss of a model that knows the format but not the key: <c>ln(KeyCount)</c> nats per recalled key.</summary>
    public double ChanceRecallLoss => Math.Log(KeyCount);
}
