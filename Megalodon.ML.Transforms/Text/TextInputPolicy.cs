using Megalodon.ML.Encoder;
using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Transforms.Text;

/// <summary>What a text-scoring transformer does with a row whose text is empty, only whitespace, or missing.</summary>
public enum EmptyTextPolicy
{
    /// <summary>Stop with an error naming the data row and the column (as Fit does).</summary>
    Throw = 0,
    /// <summary>Give the row missing outputs (NaN scores, NaN vectors, empty text) and go on.</summary>
    Missing = 1,
}

/// <summary>Which tokens of a text longer than the token limit are kept.</summary>
public enum TokenTruncation
{
    /// <summary>The first tokens (the end is cut off).</summary>
    KeepStart = 0,
    /// <summary>The last tokens (the start is cut off).</summary>
    KeepEnd = 1,
}

/// <summary>
/// How a text-scoring transformer reads its text column: what an empty row does, and an optional cap on the tokens of
/// a text (a long document otherwise costs time in proportion to its length).
/// </summary>
public sealed record TextInputPolicy
{
    /// <summary>Empty, whitespace-only or missing text: an error (the default) or missing outputs.</summary>
    public EmptyTextPolicy EmptyText { get; init; } = EmptyTextPolicy.Throw;
    /// <summary>Tokens scored or embedded per text at most; null for no cap.</summary>
    public int? MaxTokens { get; init; }
    /// <summary>Which end of a longer text is kept.</summary>
    public TokenTruncation Truncation { get; init; } = TokenTruncation.KeepStart;

    internal void Validate()
    {
        if (!Enum.IsDefined(EmptyText)) throw new ArgumentOutOfRangeException(nameof(EmptyText), EmptyText, "Unknown empty-text policy.");
        if (!Enum.IsDefined(Truncation)) throw new ArgumentOutOfRangeException(nameof(Truncation), Truncation, "Unknown truncation.");
        if (MaxTokens is <= 0) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must be positive (or null for no cap).");
    }

    /// <summary>
    /// The token ids to compute from, or null for a row that gets missing outputs.
    /// </summary>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="text">The row's text.</param>
    /// <param name="row">The row's index in the data (not in a batch).</param>
    /// <param name="column">The text column's name.</param>
    /// <param name="what">What the transformer computes, for the message ("scored", "embedded").</param>
    /// <exception cref="ArgumentException">The text is empty and the policy is <see cref="EmptyTextPolicy.Throw"/>; the message names the row and column.</exception>
    internal IReadOnlyList<int>? Tokens(ModelTokenizer tokenizer, string? text, long row, string column, string what)
    {
        if (!HasText(text, row, column, what)) return null;
        var ids = tokenizer.Encode(text);
        if (MaxTokens is not { } max || ids.Count <= max) return ids;
        return Truncation == TokenTruncation.KeepStart ? ids.Take(max).ToList() : ids.Skip(ids.Count - max).ToList();
    }

    /// <summary>
    /// The byte-level token ids a bidirectional encoder reads (<see cref="EncodedText"/>: a character's bytes are never
    /// split by the cap), or null for a row that gets missing outputs.
    /// </summary>
    /// <param name="text">The row's text.</param>
    /// <param name="row">The row's index in the data (not in a batch).</param>
    /// <param name="column">The text column's name.</param>
    /// <param name="what">What the transformer computes, for the message.</param>
    /// <exception cref="ArgumentException">The text is empty and the policy is <see cref="EmptyTextPolicy.Throw"/>; the message names the row and column.</exception>
    internal int[]? EncoderTokens(string? text, long row, string column, string what) =>
        HasText(text, row, column, what)
            ? EncodedText.Encode(text, MaxTokens ?? int.MaxValue, keepEnd: Truncation == TokenTruncation.KeepEnd).Ids
            : null;

    /// <summary>True when the row has text to compute from; false for an empty one under <see cref="EmptyTextPolicy.Missing"/>.</summary>
    /// <exception cref="ArgumentException">The text is empty and the policy is <see cref="EmptyTextPolicy.Throw"/>; the message names the row and column.</exception>
    private bool HasText([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? text, long row, string column, string what)
    {
        if (!string.IsNullOrWhiteSpace(text)) return true;
        if (EmptyText == EmptyTextPolicy.Missing) return false;
        throw new ArgumentException(
            $"Column '{column}' is empty or only whitespace at row {row}: there is nothing to be {what}. Remove such rows (for example with " +
            $"mlContext.Data.FilterByCustomPredicate) before transforming, or set {nameof(EmptyText)} = {nameof(EmptyTextPolicy)}.{nameof(EmptyTextPolicy.Missing)} to get missing outputs for them.");
    }

    /// <summary>Writes the policy (three ints) into a saved model.</summary>
    internal void Write(BinaryWriter writer)
    {
        writer.Write((int)EmptyText);
        writer.Write(MaxTokens ?? -1);
        writer.Write((int)Truncation);
    }

    /// <summary>Reads a policy written by <see cref="Write"/>.</summary>
    internal static TextInputPolicy Read(BinaryReader reader)
    {
        var policy = new TextInputPolicy
        {
            EmptyText = (EmptyTextPolicy)reader.ReadInt32(),
            MaxTokens = reader.ReadInt32() is var max && max > 0 ? max : null,
            Truncation = (TokenTruncation)reader.ReadInt32(),
        };
        policy.Validate();
        return policy;
    }
}
