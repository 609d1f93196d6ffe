using Megalodon.ML.Tokenization;

namespace Megalodon.ML.Encoder;

/// <summary>A text as the encoder reads it: byte-level token ids and, per token, the character range it came from.</summary>
/// <param name="Ids">Token ids (UTF-8 bytes).</param>
/// <param name="Offsets">Per token, its character range in the text.</param>
public sealed record EncodedText(int[] Ids, Range[] Offsets)
{
    /// <summary>Number of tokens.</summary>
    public int Length => Ids.Length;

    /// <summary>Encodes <paramref name="text"/> with <see cref="ByteLevelTokenizer"/>, keeping at most <paramref name="maxTokens"/> tokens (never splitting a character).</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxTokens">The most tokens kept.</param>
    public static EncodedText Encode(string text, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = ByteLevelTokenizer.Instance.EncodeToTokens(text, out _);
        int count = tokens.Count;
        if (count > maxTokens)
        {
            count = maxTokens;
            // Cut before a character whose bytes would be split.
            while (count > 0 && tokens[count].Offset.Equals(tokens[count - 1].Offset)) count--;
        }
        var ids = new int[count];
        var offsets = new Range[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = tokens[i].Id;
            offsets[i] = tokens[i].Offset;
        }
        return new EncodedText(ids, offsets);
    }
}
