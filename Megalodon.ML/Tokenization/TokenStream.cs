namespace Megalodon.ML.Tokenization;

/// <summary>Documents tokenised and joined into one stream with the end-of-text id between them, as language models are pretrained.</summary>
/// <param name="Tokens">The joined token ids.</param>
/// <param name="DocumentCount">How many documents were joined.</param>
public sealed record TokenStream(int[] Tokens, int DocumentCount)
{
    /// <summary>The stream length after each document (before the next separator), so a prefix of documents can be cut off.</summary>
    public int[] DocumentEnds { get; init; } = [];

    /// <summary>Tokenises <paramref name="documents"/> in order and joins them with the end-of-text id.</summary>
    /// <param name="documents">The texts, in training order.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    public static TokenStream FromDocuments(IReadOnlyList<string> documents, ModelTokenizer tokenizer)
    {
        var tokens = new List<int>();
        var ends = new int[documents.Count];
        for (var i = 0; i < documents.Count; i++)
        {
            if (tokens.Count > 0) tokens.Add(tokenizer.EndOfTextId);
            tokens.AddRange(tokenizer.Encode(documents[i]));
            ends[i] = tokens.Count;
        }
        return new TokenStream(tokens.ToArray(), documents.Count) { DocumentEnds = ends };
    }
}
