using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Transforms.Pretraining;

/// <summary>Documents tokenised and joined into one stream with the end-of-text id between them, as language models are pretrained.</summary>
internal sealed record TokenStream(int[] Tokens, int DocumentCount)
{
    /// <summary>The stream length after each document (before the next separator), so a prefix of documents can be cut off.</summary>
    public int[] DocumentEnds { get; init; } = [];

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
