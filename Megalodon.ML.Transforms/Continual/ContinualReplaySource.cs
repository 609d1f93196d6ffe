using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;

namespace Megalodon.ML.Transforms.Continual;

/// <summary>
/// Builds the compute-equivalent replay mixture of a continual run: the new data's windows with a share of the earlier
/// data's windows, taken in the base run's recorded order from where <see cref="ContinualReplayStart"/> says.
/// </summary>
internal static class ContinualReplaySource
{
    /// <summary>The new data mixed with replay of <paramref name="earlier"/>.</summary>
    /// <param name="newData">The new data's windows.</param>
    /// <param name="earlier">The earlier documents as one stream (those the base run was trained on; a longer tail of held-out documents is allowed).</param>
    /// <param name="record">The base run's data record; null replays in a fresh seeded order.</param>
    /// <param name="fraction">Share of windows replayed, in (0, 1).</param>
    /// <param name="start">Seen windows from the base run's first, or fresh ones after its last.</param>
    /// <param name="seed">This run's seed (orders the replay when there is no record).</param>
    /// <param name="warn">Receives a warning when there is no record.</param>
    /// <exception cref="ArgumentException">The earlier data is not the recorded stream, or is too short.</exception>
    public static ReplayTokenBatchSource Mix(PackedTokenWindowSource newData, TokenStream earlier, TrainingDataRecord? record,
        double fraction, ContinualReplayStart start, int seed, Action<string> warn)
    {
        int sequenceLength = newData.SequenceLength;
        if (record is null)
        {
            warn("The base model has no training data record: replaying the earlier data in a fresh seeded order, not the order it was trained in.");
            if (earlier.Tokens.Length < sequenceLength + 1)
                throw new ArgumentException($"The replay text has {earlier.Tokens.Length} tokens, fewer than one window of {sequenceLength + 1}.");
            return new ReplayTokenBatchSource(newData, new PackedTokenWindowSource(earlier.Tokens, sequenceLength, seed: DeterministicSeed(seed)), fraction);
        }
        if (record.SequenceLength != sequenceLength)
            throw new ArgumentException($"Replay in the base run's order needs its sequence length {record.SequenceLength}; SequenceLength is {sequenceLength}.");
        var tokens = SeenPrefix(earlier, record)
            ?? throw new ArgumentException(
                $"ReplayData is not the text the base model was trained on: its {earlier.Tokens.Length} tokens (in {earlier.DocumentCount} documents) do not reproduce the recorded stream of {record.TokenCount} tokens (SHA-256 {record.Fingerprint}). Pass the same documents in the same order.");
        var replay = new PackedTokenWindowSource(tokens, sequenceLength, seed: record.StartPosition.PermutationSeed, shuffle: record.Shuffled);
        if (start == ContinualReplayStart.ContinueAfterBase || record.WindowsSeen == 0)
        {
            replay.Seek(record.EndPosition);
            return new ReplayTokenBatchSource(newData, replay, fraction);
        }
        // The cycle keeps replay inside the seen windows: after the last one it starts over from the first.
        replay.Seek(record.StartPosition);
        return new ReplayTokenBatchSource(newData, replay, fraction, record.WindowsSeen);
    }

    private static ulong DeterministicSeed(int seed) => unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 1);

    /// <summary>The recorded stream: all of the replay documents, or the leading ones (pretraining holds out the last documents for validation).</summary>
    private static ReadOnlyMemory<int>? SeenPrefix(TokenStream stream, TrainingDataRecord record)
    {
        if (record.TokenCount == stream.Tokens.Length)
            return record.Matches(stream.Tokens) ? stream.Tokens : null;
        if (Array.IndexOf(stream.DocumentEnds, checked((int)record.TokenCount)) < 0)
            return null;
        var prefix = stream.Tokens.AsMemory(0, (int)record.TokenCount);
        return record.Matches(prefix.Span) ? prefix : null;
    }
}
