using Megalodon.ML.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// A word tagger over a <see cref="BidirectionalEncoder"/>: each word's feature is the mean of its tokens' features,
/// and a linear head gives one logit per class (BIO label).
/// </summary>
/// <remarks>Mean-pooling the word's bytes (rather than taking its first one) lets every byte of the word inform its label.</remarks>
public sealed class TokenClassifier : nn.Module
{
    private readonly BidirectionalEncoder encoder;
    private readonly Linear head;

    /// <summary>
    /// A classifier over a copy of <paramref name="pretrained"/> with a fresh head (initialised from TorchSharp's global
    /// generator), on the encoder's device and with its <see cref="BidirectionalEncoder.MatmulType"/>.
    /// </summary>
    /// <param name="pretrained">The encoder to start from; it is copied, not shared.</param>
    /// <param name="classCount">Number of classes.</param>
    public TokenClassifier(BidirectionalEncoder pretrained, int classCount)
        : this((pretrained ?? throw new ArgumentNullException(nameof(pretrained))).Config, classCount, pretrained.Device)
    {
        ModuleState.CopyInto(pretrained, encoder, "encoder");
        encoder.MatmulType = pretrained.MatmulType;
    }

    /// <summary>A freshly initialised classifier (initialised on the CPU, then moved to <paramref name="device"/>).</summary>
    /// <param name="config">The encoder's shape per direction.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="device">Where to place the weights; null for the CPU.</param>
    public TokenClassifier(MegalodonConfig config, int classCount, Device? device = null) : base(nameof(TokenClassifier))
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "At least one class is needed.");
        encoder = new BidirectionalEncoder(config, device);
        head = nn.Linear(encoder.FeatureDim, classCount);
        if (encoder.Device.type != DeviceType.CPU) head.to(encoder.Device);
        register_module("encoder", encoder);
        register_module("head", head);
        ClassCount = classCount;
    }

    /// <summary>The device of the parameters.</summary>
    public Device Device => encoder.Device;

    /// <summary>The encoder.</summary>
    public BidirectionalEncoder Encoder => encoder;

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Dropout on the word features during training.</summary>
    public double Dropout { get; set; } = 0.1;

    /// <summary>Logits (B,W,K) for a batch of sentences, W being the most words in a sentence of the batch.</summary>
    /// <param name="batch">The sentences.</param>
    public Tensor Logits(IReadOnlyList<EncodedWords> batch)
    {
        using var scope = NewDisposeScope();
        var words = WordFeatures(encoder, batch);
        if (training && Dropout > 0) words = nn.functional.dropout(words, Dropout, true);
        return head.forward(words).MoveToOuterDisposeScope();
    }

    /// <summary>Mean of each word's token features (B,W,F); zero for padding words and words with no tokens.</summary>
    internal static Tensor WordFeatures(BidirectionalEncoder encoder, IReadOnlyList<EncodedWords> batch)
    {
        using var scope = NewDisposeScope();
        var (ids, lengths, _) = TokenBatch.Pad(batch.Select(s => s.Ids).ToList(), encoder.Device);
        var features = encoder.forward(ids, lengths);
        int length = (int)ids.shape[1];
        int wordCount = Math.Max(1, batch.Max(s => s.WordCount));
        var pooling = new float[batch.Count * wordCount * length];
        for (int b = 0; b < batch.Count; b++)
            for (int t = 0; t < batch[b].Ids.Length; t++)
            {
                int w = batch[b].TokenWord[t];
                if (w >= 0) pooling[(b * wordCount + w) * length + t] = 1f / batch[b].WordTokenCount(w);
            }
        var matrix = tensor(pooling, [batch.Count, wordCount, length], device: encoder.Device);
        return matmul(matrix, features).MoveToOuterDisposeScope();
    }

    /// <summary>The most likely class of every word, sentence by sentence, in batches (no gradients).</summary>
    /// <param name="sentences">The sentences.</param>
    /// <param name="batchSize">Sentences per forward pass.</param>
    public int[][] Predict(IReadOnlyList<EncodedWords> sentences, int batchSize = 32) =>
        LogProbabilities(sentences, batchSize).Select(words => words.Select(ArgMax).ToArray()).ToArray();

    /// <summary>
    /// The log-probability of every class for every word (log-softmax of <see cref="Logits"/>), in evaluation mode
    /// without gradients: what a decoder that keeps the labels consistent (<see cref="Ner.BioViterbi"/>) reads.
    /// </summary>
    /// <param name="sentences">The sentences; a sentence without tokens gives all-zero rows.</param>
    /// <param name="batchSize">Sentences per forward pass.</param>
    /// <returns>Per sentence, per word, one value per class.</returns>
    public float[][][] LogProbabilities(IReadOnlyList<EncodedWords> sentences, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = new float[sentences.Count][][];
        bool wasTraining = training;
        eval();
        using var noGrad = no_grad();
        // Similar lengths together: less padding.
        var order = Enumerable.Range(0, sentences.Count).OrderBy(i => sentences[i].Ids.Length).ToArray();
        for (int start = 0; start < order.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var indices = order.Skip(start).Take(batchSize).ToArray();
            var batch = indices.Select(i => sentences[i]).ToList();
            if (batch.All(s => s.Ids.Length == 0))
            {
                foreach (int i in indices) result[i] = Enumerable.Range(0, sentences[i].WordCount).Select(_ => new float[ClassCount]).ToArray();
                continue;
            }
            using var scores = nn.functional.log_softmax(Logits(batch), -1).cpu();
            var flat = scores.data<float>().ToArray();
            int w = (int)scores.shape[1];
            for (int b = 0; b < indices.Length; b++)
                result[indices[b]] = Enumerable.Range(0, batch[b].WordCount)
                    .Select(j => flat.AsSpan((b * w + j) * ClassCount, ClassCount).ToArray()).ToArray();
        }
        if (wasTraining) train();
        return result;
    }

    /// <summary>The index of the largest value (the first one on a tie, as torch's argmax).</summary>
    internal static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>Parameters and buffers by name, as detached CPU copies (the caller disposes them).</summary>
    public Dictionary<string, Tensor> StateTensors() => ModuleState.Snapshot(this);

    /// <summary>Copies tensors named as in <see cref="StateTensors"/> into this module.</summary>
    /// <exception cref="ArgumentException">Missing, unexpected or mis-shaped tensors (all listed).</exception>
    public void LoadStateTensors(IReadOnlyDictionary<string, Tensor> tensors) => ModuleState.Load(this, tensors, "classifier");
}
