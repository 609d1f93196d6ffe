using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.ML.Inference;

/// <summary>
/// Token sequences run through a model together: each checked against the vocabulary and given the start token, then
/// right-padded to one length the model accepts (below the chunk size, or a multiple of it). The model is causal, so
/// padding changes nothing before it.
/// </summary>
internal static class PaddedTokenBatch
{
    /// <summary>Checks one sequence and prepends <paramref name="startToken"/> when given.</summary>
    /// <param name="sequence">Token ids.</param>
    /// <param name="index">Its index, for messages.</param>
    /// <param name="vocabSize">The model's vocabulary.</param>
    /// <param name="startToken">A token fed first; null for none.</param>
    /// <param name="whyNotEmpty">Ends the message for an empty sequence, e.g. "there is nothing to score".</param>
    /// <exception cref="ArgumentException">The sequence is empty or holds ids outside the vocabulary.</exception>
    public static long[] Prepare(IReadOnlyList<int> sequence, int index, int vocabSize, int? startToken, string whyNotEmpty)
    {
        if (sequence.Count == 0) throw new ArgumentException($"Sequence {index} is empty: {whyNotEmpty}.", nameof(sequence));
        foreach (int id in sequence)
            if (id < 0 || id >= vocabSize)
                throw new ArgumentException($"Sequence {index} holds token id {id}, outside the model's vocabulary of {vocabSize}.", nameof(sequence));
        var ids = startToken is { } start ? sequence.Prepend(start) : sequence;
        return ids.Select(id => (long)id).ToArray();
    }

    /// <summary>The padded (B, L) token tensor on the model's device and each row's last real position.</summary>
    public static (Tensor Tokens, long[] LastPositions) Build(IReadOnlyList<long[]> rows, MegalodonModel model)
    {
        int chunk = model.Config.ChunkSize;
        int longest = rows.Max(r => r.Length);
        int padded = longest < chunk ? longest : (longest + chunk - 1) / chunk * chunk;
        var flat = new long[rows.Count * padded];
        for (int r = 0; r < rows.Count; r++) rows[r].CopyTo(flat, r * padded);
        return (tensor(flat).view(rows.Count, padded).to(model.Device), rows.Select(r => (long)r.Length - 1).ToArray());
    }
}
