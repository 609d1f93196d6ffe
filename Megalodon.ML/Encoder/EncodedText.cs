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
    public static EncodedText Encode(string text, int maxTokens = int.MaxValue) => Encode(text, maxTokens, keepEnd: false);

    /// <summary>Encodes <paramref name="text"/> with <see cref="ByteLevelTokenizer"/>, keeping at most <paramref name="maxTokens"/> tokens from its start or its end (never splitting a character).</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxTokens">The most tokens kept.</param>
    /// <param name="keepEnd">Keep the last tokens instead of the first.</param>
    public static EncodedText Encode(string text, int maxTokens, bool keepEnd)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        var tokens = ByteLevelTokenizer.Instance.EncodeToTokens(text, out _);
        int start = 0, end = tokens.Count;
        if (end > maxTokens)
        {
            // Bytes of one character share its offset: cut so that no character is split.
            if (keepEnd)
            {
                start = end - maxTokens;
                while (start < end && tokens[start].Offset.Equals(tokens[start - 1].Offset)) start++;
            }
            else
            {
                end = maxTokens;
                while (end > 0 && tokens[end].Offset.Equals(tokens[end - 1].Offset)) end--;
            }
        }
        var ids = new int[end - start];
        var offsets = new Range[end - start];
        for (int i = start; i < end; i++)
        {
            ids[i - start] = tokens[i].Id;
            offsets[i - start] = tokens[i].Offset;
        }
        return new EncodedText(ids, offsets);
    }
}
