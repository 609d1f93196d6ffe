using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>Sentence embeddings from a <see cref="BidirectionalEncoder"/>: the mean of a text's token features.</summary>
public static class EncoderEmbeddings
{
    /// <summary>One vector of <see cref="BidirectionalEncoder.FeatureDim"/> floats per text (zeros for an empty text), in batches, without gradients.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="texts">The texts; each is cut to <paramref name="maxTokens"/> tokens.</param>
    /// <param name="maxTokens">Tokens read per text.</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    public static float[][] Mean(BidirectionalEncoder encoder, IReadOnlyList<string> texts, int maxTokens = 512, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Mean(encoder, texts.Select(t => EncodedText.Encode(t ?? "", maxTokens).Ids).ToArray(), batchSize);
    }

    /// <summary>One vector of <see cref="BidirectionalEncoder.FeatureDim"/> floats per token sequence (zeros for an empty one), in batches, without gradients.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="ids">Each text's token ids, as <see cref="EncodedText"/> gives them.</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    public static float[][] Mean(BidirectionalEncoder encoder, IReadOnlyList<int[]> ids, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = new float[ids.Count][];
        bool wasTraining = encoder.training;
        encoder.eval();
        using var noGrad = no_grad();
        for (int start = 0; start < ids.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(batchSize, ids.Count - start)).ToArray();
            var filled = indices.Where(i => ids[i].Length > 0).ToArray();
            foreach (int i in indices.Except(filled)) result[i] = new float[encoder.FeatureDim];
            if (filled.Length == 0) continue;
            var (tokens, lengths, mask) = TokenBatch.Pad(filled.Select(i => ids[i]).ToList(), encoder.Device);
            var features = encoder.forward(tokens, lengths);
            var weights = mask.to_type(features.dtype).unsqueeze(-1);
            var mean = (features * weights).sum(1) / weights.sum(1);
            var flat = mean.cpu().data<float>().ToArray();
            for (int b = 0; b < filled.Length; b++)
                result[filled[b]] = flat.AsSpan(b * encoder.FeatureDim, encoder.FeatureDim).ToArray();
        }
        if (wasTraining) encoder.train();
        return result;
    }
}
