namespace Megalodon.ML.Tokenization;

/// <summary>
/// Reads what a SentencePiece <c>.model</c> file (a <c>ModelProto</c> protobuf) says about its size: the number of
/// pieces, which is the reference's <c>sp_model.vocab_size()</c>. Only the protobuf wire format is walked; nothing
/// else of the file is interpreted here (Microsoft.ML.Tokenizers reads the rest).
/// </summary>
internal static class SentencePieceModelFile
{
    private const int PiecesField = 1;

    /// <summary>Counts the top-level <c>pieces</c> entries (field 1).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf message or hold no piece.</exception>
    public static int CountPieces(ReadOnlySpan<byte> model)
    {
        int count = 0, position = 0;
        while (position < model.Length)
        {
            ulong tag = ReadVarint(model, ref position);
            int field = (int)(tag >> 3), wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0: ReadVarint(model, ref position); break;
                case 1: position = Advance(model, position, 8); break;
                case 2:
                    ulong length = ReadVarint(model, ref position);
                    if (length > int.MaxValue) throw Malformed("a field length exceeds the file");
                    position = Advance(model, position, (int)length);
                    if (field == PiecesField) count++;
                    break;
                case 5: position = Advance(model, position, 4); break;
                default: throw Malformed($"wire type {wireType} at byte {position}");
            }
        }
        if (count == 0) throw Malformed("it holds no pieces");
        return count;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length) throw Malformed("it ends inside a number (truncated?)");
            byte b = data[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw Malformed("a number is longer than 10 bytes");
    }

    private static int Advance(ReadOnlySpan<byte> data, int position, int count)
    {
        if (count < 0 || position + (long)count > data.Length) throw Malformed("a field runs past the end (truncated?)");
        return position + count;
    }

    private static InvalidDataException Malformed(string why) => new($"Not a SentencePiece model file: {why}.");
}
