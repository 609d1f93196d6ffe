using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Megalodon.ML.Tests.Reporting;

/// <summary>
/// An independent PNG reader for the tests: checks the signature and every chunk CRC (with its own
/// bit-by-bit CRC, not the library's), and decodes 8-bit RGB/RGBA images written with filter type 0.
/// </summary>
internal sealed class PngTestReader
{
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int BitDepth { get; init; }
    public required int ColorType { get; init; }
    public required int Interlace { get; init; }
    public required List<string> ChunkTypes { get; init; }
    /// <summary>Decompressed IDAT stream: per row one filter byte then the pixel bytes.</summary>
    public required byte[] Raw { get; init; }

    public int Channels => ColorType == 6 ? 4 : 3;

    public static PngTestReader Read(string path) => Read(File.ReadAllBytes(path));

    public static PngTestReader Read(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        CollectionAssert.AreEqual(signature, png[..8], "PNG signature");
        var types = new List<string>();
        var idat = new MemoryStream();
        byte[]? ihdr = null;
        var pos = 8;
        while (pos < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.AreEqual(BitwiseCrc(png.AsSpan(pos + 4, 4 + length)), crc, $"CRC of chunk {type}");
            types.Add(type);
            if (type == "IHDR") ihdr = data.ToArray();
            if (type == "IDAT") idat.Write(data);
            pos += 12 + length;
        }
        Assert.AreEqual(png.Length, pos, "chunks end exactly at the end of the file");
        Assert.IsNotNull(ihdr, "IHDR present");
        using var inflated = new MemoryStream();
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(inflated);
        return new PngTestReader
        {
            Width = BinaryPrimitives.ReadInt32BigEndian(ihdr),
            Height = BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)),
            BitDepth = ihdr[8],
            ColorType = ihdr[9],
            Interlace = ihdr[12],
            ChunkTypes = types,
            Raw = inflated.ToArray(),
        };
    }

    /// <summary>Pixel colour as (R, G, B, A); assumes filter type 0 on every row, as the writer promises.</summary>
    public (byte R, byte G, byte B, byte A) Pixel(int x, int y)
    {
        var i = y * (1 + Width * Channels) + 1 + x * Channels;
        return (Raw[i], Raw[i + 1], Raw[i + 2], Channels == 4 ? Raw[i + 3] : (byte)255);
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
