using System.Text;

namespace Megalodon.ML.Tests.Interop;

/// <summary>
/// Builds a small valid SentencePiece model file (a BPE <c>ModelProto</c>) in memory, so tests need no downloaded
/// tokenizer: the protobuf wire format written by hand, with a handful of pieces.
/// </summary>
internal static class SentencePieceTestModel
{
    // SentencePiece piece types (sentencepiece_model.proto).
    private const int Normal = 1, Unknown = 2, Control = 3;

    /// <summary>The pieces, in id order: unk, bos, eos, then normal pieces whose score orders the BPE merges.</summary>
    public static readonly (string Piece, int Type)[] Pieces =
    [
        ("<unk>", Unknown), ("<s>", Control), ("</s>", Control),
        ("\u2581", Normal), ("a", Normal), ("b", Normal), ("c", Normal), ("d", Normal), ("e", Normal),
        ("\u2581a", Normal), ("ab", Normal), ("\u2581ab", Normal), ("cd", Normal), ("\u2581b", Normal), ("\u2581c", Normal), ("de", Normal),
    ];

    /// <summary>The end-of-sentence id.</summary>
    public const int EndOfSentenceId = 2;

    /// <summary>The model file's bytes.</summary>
    public static byte[] Build()
    {
        using var model = new MemoryStream();
        for (int i = 0; i < Pieces.Length; i++)
        {
            using var piece = new MemoryStream();
            WriteString(piece, 1, Pieces[i].Piece);
            WriteFloat(piece, 2, Pieces[i].Type == Normal ? -i : 0f);
            WriteVarintField(piece, 3, (ulong)Pieces[i].Type);
            WriteBytes(model, 1, piece.ToArray());
        }
        using (var trainer = new MemoryStream())
        {
            WriteVarintField(trainer, 3, 2);                      // model_type = BPE
            WriteVarintField(trainer, 4, (ulong)Pieces.Length);   // vocab_size
            WriteVarintField(trainer, 40, 0);                     // unk_id
            WriteVarintField(trainer, 41, 1);                     // bos_id
            WriteVarintField(trainer, 42, EndOfSentenceId);       // eos_id
            WriteVarintField(trainer, 43, unchecked((ulong)-1L)); // pad_id = -1
            WriteBytes(model, 2, trainer.ToArray());
        }
        using (var normalizer = new MemoryStream())
        {
            WriteString(normalizer, 1, "identity");
            WriteVarintField(normalizer, 3, 1);                   // add_dummy_prefix
            WriteVarintField(normalizer, 4, 0);                   // remove_extra_whitespaces
            WriteVarintField(normalizer, 5, 1);                   // escape_whitespaces
            WriteBytes(model, 3, normalizer.ToArray());
        }
        return model.ToArray();
    }

    private static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80) { s.WriteByte((byte)(value | 0x80)); value >>= 7; }
        s.WriteByte((byte)value);
    }

    private static void WriteVarintField(Stream s, int field, ulong value) { WriteVarint(s, (ulong)(field << 3)); WriteVarint(s, value); }

    private static void WriteBytes(Stream s, int field, byte[] bytes) { WriteVarint(s, (ulong)(field << 3 | 2)); WriteVarint(s, (ulong)bytes.Length); s.Write(bytes); }

    private static void WriteString(Stream s, int field, string text) => WriteBytes(s, field, Encoding.UTF8.GetBytes(text));

    private static void WriteFloat(Stream s, int field, float value)
    {
        WriteVarint(s, (ulong)(field << 3 | 5));
        s.Write(BitConverter.GetBytes(value));
    }
}
