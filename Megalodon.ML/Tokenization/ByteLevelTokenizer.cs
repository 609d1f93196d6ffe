using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tokenization;

/// <summary>
/// The simplest lossless tokenizer: one token per UTF-8 byte (ids 0-255) plus an end-of-text id 256, so the
/// vocabulary has 257 entries. Any valid Unicode text round-trips exactly through encode and decode.
/// </summary>
/// <remarks>
/// <para>Each token's <see cref="EncodedToken.Offset"/> is the range of the character (one UTF-16 char, or two for a
/// surrogate pair) its byte belongs to, so all bytes of one character share an offset. A token's
/// <see cref="EncodedToken.Value"/> is the character itself for ASCII bytes and <c>&lt;0xNN&gt;</c> for the others.</para>
/// <para>Text never encodes to <see cref="EndOfTextId"/>: the literal <c>&lt;|endoftext|&gt;</c> in the input is just bytes.
/// The id is only placed by whoever joins documents (see <see cref="DocumentPacker"/>); decoding writes it as
/// <see cref="EndOfTextToken"/>. Lone surrogates in the input (not valid Unicode) encode as U+FFFD, like
/// <see cref="Encoding.UTF8"/> does, and byte sequences that are not valid UTF-8 decode to U+FFFD.</para>
/// </remarks>
public sealed class ByteLevelTokenizer : Tokenizer
{
    /// <summary>The id marking the end of a document.</summary>
    public const int EndOfTextId = 256;

    /// <summary>Number of ids: 256 bytes and the end-of-text id.</summary>
    public const int VocabularySize = 257;

    /// <summary>How <see cref="EndOfTextId"/> is written when decoding.</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    private static readonly string[] TokenValues = CreateTokenValues();

    /// <summary>The shared instance; the tokenizer has no state.</summary>
    public static ByteLevelTokenizer Instance { get; } = new();

    private ByteLevelTokenizer()
    {
    }

    /// <summary>The display string of a token id: the ASCII character, <c>&lt;0xNN&gt;</c>, or <see cref="EndOfTextToken"/>.</summary>
    /// <param name="id">A token id in [0, 256].</param>
    public static string TokenValue(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(id, EndOfTextId);
        return TokenValues[id];
    }

    /// <inheritdoc />
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        ReadOnlySpan<char> chars = text is null ? textSpan : text.AsSpan();
        var tokens = new List<EncodedToken>(chars.Length);
        int consumed = Encode(chars, settings.MaxTokenCount, (b, start, length) => tokens.Add(new EncodedToken(b, TokenValues[b], new Range(start, start + length))));
        return new EncodeResults<EncodedToken> { Tokens = tokens, CharsConsumed = consumed };
    }

    /// <inheritdoc />
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        ReadOnlySpan<char> chars = text is null ? textSpan : text.AsSpan();
        var ids = new List<int>(chars.Length);
        int consumed = Encode(chars, settings.MaxTokenCount, (b, _, _) => ids.Add(b));
        return new EncodeResults<int> { Tokens = ids, CharsConsumed = consumed };
    }

    /// <inheritdoc />
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        ReadOnlySpan<char> chars = text is null ? textSpan : text.AsSpan();
        // Same replacement rule as Encode (a lone surrogate counts as U+FFFD's three bytes).
        int all = Encoding.UTF8.GetByteCount(chars);
        if (all <= settings.MaxTokenCount)
            return all;
        int counted = 0; // under a budget, stop where Encode stops: before the character that would not fit
        Encode(chars, settings.MaxTokenCount, (_, _, _) => counted++);
        return counted;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, 256].</exception>
    public override string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int[] all = ids as int[] ?? ids.ToArray();
        int capacity = 0;
        foreach (int id in all)
            capacity += id == EndOfTextId ? EndOfTextToken.Length : 1; // a byte yields at most one char (a 4-byte rune: 2 chars)
        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 1));
        try
        {
            var status = DecodeCore(all, buffer, out int idsConsumed, out int written);
            if (status == OperationStatus.InvalidData)
                throw new ArgumentOutOfRangeException(nameof(ids), all[idsConsumed], $"Token id {all[idsConsumed]} at position {idsConsumed} is outside the byte-level vocabulary [0, {EndOfTextId}].");
            return new string(buffer, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    /// <remarks>Stops at an id outside [0, 256] with <see cref="OperationStatus.InvalidData"/>; never splits a character.</remarks>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return DecodeCore(ids as int[] ?? ids.ToArray(), destination, out idsConsumed, out charsWritten);
    }

    private delegate void ByteSink(int value, int charStart, int charLength);

    /// <summary>Emits each UTF-8 byte of <paramref name="chars"/> with its character's range; returns the chars consumed.</summary>
    private static int Encode(ReadOnlySpan<char> chars, int maxTokens, ByteSink sink)
    {
        Span<byte> utf8 = stackalloc byte[4];
        int emitted = 0, index = 0;
        while (index < chars.Length)
        {
            // Invalid UTF-16 (a lone surrogate) yields U+FFFD and consumes one char, as Encoding.UTF8 does.
            Rune.DecodeFromUtf16(chars[index..], out Rune rune, out int charLength);
            int byteLength = rune.EncodeToUtf8(utf8);
            if (emitted + byteLength > maxTokens)
                break; // never split a character between token budgets
            for (int i = 0; i < byteLength; i++)
                sink(utf8[i], index, charLength);
            emitted += byteLength;
            index += charLength;
        }
        return index;
    }

    private static OperationStatus DecodeCore(int[] ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        Span<byte> pending = stackalloc byte[4];
        int i = 0, written = 0;
        OperationStatus status = OperationStatus.Done;
        while (i < ids.Length)
        {
            int id = ids[i];
            if (id == EndOfTextId)
            {
                if (!EndOfTextToken.AsSpan().TryCopyTo(destination[written..]))
                {
                    status = OperationStatus.DestinationTooSmall;
                    break;
                }
                written += EndOfTextToken.Length;
                i++;
                continue;
            }
            if ((uint)id > byte.MaxValue)
            {
                status = OperationStatus.InvalidData;
                break;
            }
            // Up to 4 following byte ids form at most one character; invalid or cut-off sequences give U+FFFD.
            int n = 0;
            while (n < pending.Length && i + n < ids.Length && (uint)ids[i + n] <= byte.MaxValue)
            {
                pending[n] = (byte)ids[i + n];
                n++;
            }
            Rune.DecodeFromUtf8(pending[..n], out Rune rune, out int bytesConsumed);
            if (!rune.TryEncodeToUtf16(destination[written..], out int length))
            {
                status = OperationStatus.DestinationTooSmall;
                break;
            }
            written += length;
            i += bytesConsumed;
        }
        idsConsumed = i;
        charsWritten = written;
        return status;
    }

    private static string[] CreateTokenValues()
    {
        var values = new string[VocabularySize];
        for (int b = 0; b < 256; b++)
            values[b] = b < 0x80 ? ((char)b).ToString() : $"<0x{b:X2}>";
        values[EndOfTextId] = EndOfTextToken;
        return values;
    }
}
