using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Transforms.Pretraining;

/// <summary>Documents tokenised and joined into one stream with the end-of-text id between them, as language models are pretrained.</summary>
internal sealed record TokenStream(int[] Tokens, int DocumentCount)
{
    public static TokenStream FromDocuments(IReadOnlyList<string> documents, ModelTokenizer tokenizer)
    {
        var tokens = new List<int>();
        foreach (var document in documents)
        {
            if (tokens.Count > 0) tokens.Add(tokenizer.EndOfTextId);
            tokens.AddRange(tokenizer.Encode(document));
        }
        return new TokenStream(tokens.ToArray(), documents.Count);
    }
}
