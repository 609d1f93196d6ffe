using Megalodon.ML.Inference;
using Megalodon.ML.Model;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Integration;

/// <summary>
/// A Megalodon model as a Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: each text
/// becomes its pooled final hidden state (last token or mean), computed in batches.
/// </summary>
public sealed class MegalodonEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Tokenizer _tokenizer;
    private readonly SequenceScorer _scorer;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates the generator.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="endOfTextId">The end-of-text token, fed before each text (as the separator the model saw in training); null for none.</param>
    /// <param name="pooling">How hidden states are pooled.</param>
    /// <param name="modelId">A name reported in the metadata.</param>
    public MegalodonEmbeddingGenerator(MegalodonModel model, Tokenizer tokenizer, int? endOfTextId, PoolingMode pooling = PoolingMode.LastToken, string modelId = "megalodon")
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _scorer = new SequenceScorer(model, pooling, endOfTextId);
        _metadata = new EmbeddingGeneratorMetadata("Megalodon.ML", null, modelId, model.Config.ModelDim);
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        var ids = texts.Select((text, i) =>
        {
            if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"Text {i} is empty: there is nothing to embed.", nameof(values));
            return (IReadOnlyList<int>)_tokenizer.EncodeToIds(text);
        }).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var scores = ids.Count == 0 ? [] : _scorer.Score(ids);
        var result = new GeneratedEmbeddings<Embedding<float>>(scores.Select(s => new Embedding<float>(s.Embedding) { ModelId = _metadata.DefaultModelId }));
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <summary>Nothing to release: the model belongs to the caller.</summary>
    public void Dispose() { }
}
