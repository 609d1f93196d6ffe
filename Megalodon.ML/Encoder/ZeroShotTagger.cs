using Megalodon.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// NuNER-Zero-style tagging without fine-tuning: concept names given at inference are embedded by the concept
/// encoder, every word (mean of its token features from the text encoder) is scored against every concept, and a word
/// takes its best concept when that concept's probability reaches the threshold. Runs of words with the same concept
/// become one entity (B- then I-).
/// </summary>
/// <param name="textEncoder">The concept-pretrained text encoder.</param>
/// <param name="conceptEncoder">The concept encoder trained with it.</param>
public sealed class ZeroShotTagger(BidirectionalEncoder textEncoder, ConceptEncoder conceptEncoder)
{
    /// <summary>BIO labels per word (the entity type being the concept name as given) for each sentence.</summary>
    /// <param name="sentences">The sentences.</param>
    /// <param name="concepts">Concept names to look for; distinct after normalisation.</param>
    /// <param name="threshold">Least probability for a word to be tagged, in (0, 1).</param>
    /// <param name="batchSize">Sentences per forward pass.</param>
    /// <exception cref="ArgumentException">No concept, a blank or duplicate concept, or a threshold outside (0, 1).</exception>
    /// <exception cref="InvalidOperationException">The two encoders are on different devices.</exception>
    public string[][] Tag(IReadOnlyList<EncodedWords> sentences, IReadOnlyList<string> concepts, double threshold = 0.5, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(concepts);
        if (concepts.Count == 0) throw new ArgumentException("Give at least one concept name.", nameof(concepts));
        if (concepts.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Concept names must not be blank.", nameof(concepts));
        if (concepts.Select(ConceptEncoder.NormalizeName).Distinct().Count() != concepts.Count)
            throw new ArgumentException("Concept names must be distinct (ignoring case and surrounding spaces).", nameof(concepts));
        if (!(threshold > 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!TorchDevices.Same(textEncoder.Device, conceptEncoder.Device))
            throw new InvalidOperationException($"The text encoder is on {textEncoder.Device} and the concept encoder on {conceptEncoder.Device}; both must be on one device.");
        textEncoder.eval();
        conceptEncoder.eval();
        using var noGrad = no_grad();
        using var embeddings = conceptEncoder.Embed(concepts);
        var result = new string[sentences.Count][];
        var order = Enumerable.Range(0, sentences.Count).OrderBy(i => sentences[i].Ids.Length).ToArray();
        float logitThreshold = (float)Math.Log(threshold / (1 - threshold));
        for (int start = 0; start < order.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var indices = order.Skip(start).Take(batchSize).ToArray();
            var batch = indices.Select(i => sentences[i]).ToList();
            if (batch.All(s => s.Ids.Length == 0))
            {
                foreach (int i in indices) result[i] = Enumerable.Repeat("O", sentences[i].WordCount).ToArray();
                continue;
            }
            var logits = conceptEncoder.Score(TokenClassifier.WordFeatures(textEncoder, batch), embeddings);
            var (best, which) = logits.max(-1);
            var bestValues = best.cpu().data<float>().ToArray();
            var bestConcepts = which.cpu().data<long>().ToArray();
            int w = (int)logits.shape[1];
            for (int b = 0; b < indices.Length; b++)
            {
                var labels = new string[batch[b].WordCount];
                int previous = -1;
                for (int j = 0; j < labels.Length; j++)
                {
                    int concept = batch[b].WordTokenCount(j) > 0 && bestValues[b * w + j] >= logitThreshold ? (int)bestConcepts[b * w + j] : -1;
                    labels[j] = concept < 0 ? "O" : (concept == previous ? "I-" : "B-") + concepts[concept];
                    previous = concept;
                }
                result[indices[b]] = labels;
            }
        }
        return result;
    }
}
