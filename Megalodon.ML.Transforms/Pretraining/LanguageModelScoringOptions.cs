using Megalodon.ML.Inference;
using Megalodon.ML.Transforms.Text;

namespace Megalodon.ML.Transforms.Pretraining;

/// <summary>Which columns a fitted language model reads and writes when it scores data.</summary>
public sealed record LanguageModelScoringOptions
{
    /// <summary>The text column scored.</summary>
    public string InputColumnName { get; init; } = "Text";
    /// <summary>Per-row mean next-token negative log-likelihood (nats), a <see cref="float"/> column.</summary>
    public string NegativeLogLikelihoodColumnName { get; init; } = "NegativeLogLikelihood";
    /// <summary>Per-row perplexity, exp of the mean NLL, a <see cref="float"/> column.</summary>
    public string PerplexityColumnName { get; init; } = "Perplexity";
    /// <summary>Per-row pooled embedding, a fixed-size vector of <see cref="float"/> (model width).</summary>
    public string EmbeddingColumnName { get; init; } = "Embedding";
    /// <summary>How hidden states are pooled into the embedding.</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.LastToken;
    /// <summary>Rows run through the model together.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>
    /// Empty rows (an error naming the row, or NaN outputs) and the token cap of scoring and embeddings (with the end
    /// kept); the defaults are an error and no cap.
    /// </summary>
    public TextInputPolicy TextInput { get; init; } = new();

    internal void Validate()
    {
        foreach (var (value, name) in new[] { (InputColumnName, nameof(InputColumnName)), (NegativeLogLikelihoodColumnName, nameof(NegativeLogLikelihoodColumnName)),
                     (PerplexityColumnName, nameof(PerplexityColumnName)), (EmbeddingColumnName, nameof(EmbeddingColumnName)) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{name} must name a column.", name);
        var outputs = new[] { NegativeLogLikelihoodColumnName, PerplexityColumnName, EmbeddingColumnName };
        if (outputs.Distinct().Count() != outputs.Length) throw new ArgumentException("The output column names must differ.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be positive.");
        ArgumentNullException.ThrowIfNull(TextInput);
        TextInput.Validate();
    }
}
