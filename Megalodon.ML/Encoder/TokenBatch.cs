using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>Right-padded id tensors for a batch of token sequences.</summary>
internal static class TokenBatch
{
    /// <summary>Ids (B,L) int64 padded with <see cref="EncoderVocabulary.PadId"/>, lengths (B) int64, and the valid-position mask (B,L).</summary>
    public static (Tensor Ids, Tensor Lengths, Tensor Mask) Pad(IReadOnlyList<int[]> sequences, Device device)
    {
        if (sequences.Count == 0) throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        int length = sequences.Max(s => s.Length);
        if (length == 0) throw new ArgumentException("Every sequence in the batch is empty.", nameof(sequences));
        var ids = new long[sequences.Count * length];
        var lengths = new long[sequences.Count];
        Array.Fill(ids, EncoderVocabulary.PadId);
        for (int b = 0; b < sequences.Count; b++)
        {
            var s = sequences[b];
            for (int i = 0; i < s.Length; i++) ids[b * length + i] = s[i];
            lengths[b] = s.Length;
        }
        var idTensor = tensor(ids, [sequences.Count, length], ScalarType.Int64, device);
        var lengthTensor = tensor(lengths, ScalarType.Int64, device);
        var mask = arange(length, dtype: ScalarType.Int64, device: device).unsqueeze(0) < lengthTensor.unsqueeze(1);
        return (idTensor, lengthTensor, mask);
    }
}
