using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Transforms;

/// <summary>Catalog methods for <see cref="TokenCountEstimator"/>.</summary>
public static class TokenCountCatalog
{
    /// <summary>Counts the tokens of a text column into a new <see cref="int"/> column.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="outputColumnName">The new column holding the count.</param>
    /// <param name="inputColumnName">The text column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="tokenizer">The tokenizer; null means GPT-2's (<see cref="ModelTokenizer.Default"/>).</param>
    public static TokenCountEstimator CountTokens(this MegalodonCatalog catalog, string outputColumnName,
        string? inputColumnName = null, ModelTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenCountEstimator(catalog.Environment, new TokenCountEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName ?? outputColumnName,
            Tokenizer = tokenizer,
        });
    }

    /// <summary>Counts the tokens of a text column, as set in <paramref name="options"/>.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">Columns and tokenizer.</param>
    public static TokenCountEstimator CountTokens(this MegalodonCatalog catalog, TokenCountEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenCountEstimator(catalog.Environment, options);
    }
}
