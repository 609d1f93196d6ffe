using Megalodon.ML.IO;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Megalodon.ML.Reporting;

/// <summary>
/// A minimal 8-bit RGB or RGBA raster with a few drawing primitives and a PNG encoder.
/// Drawing outside the image is clipped silently, so callers need not bounds-check.
/// </summary>
public sealed class PngImage
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly byte[] _pixels;

    /// <summary>Creates an image filled with <paramref name="background"/> (white when omitted).</summary>
    /// <param name="width">Width in pixels, positive.</param>
    /// <param name="height">Height in pixels, positive.</param>
    /// <param name="hasAlpha">RGBA when true, RGB when false.</param>
    /// <param name="background">Initial colour of every pixel.</param>
    public PngImage(int width, int height, bool hasAlpha = false, Rgba? background = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        // Keeps the buffer (and PNG row arithmetic) inside int range.
        if ((long)width * height * 4 > Array.MaxLength / 2)
            throw new ArgumentException($"Image of {width} x {height} pixels is too large.");
        Width = width;
        Height = height;
        HasAlpha = hasAlpha;
        _pixels = new byte[width * height * Channels];
        Clear(background ?? Rgba.White);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Whether the image stores an alpha channel (PNG colour type 6) or not (colour type 2).</summary>
    public bool HasAlpha { get; }
    /// <summary>Bytes per pixel: 4 for RGBA, 3 for RGB.</summary>
    public int Channels => HasAlpha ? 4 : 3;

    /// <summary>Sets every pixel to <paramref name="color"/>.</summary>
    public void Clear(Rgba color)
    {
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
                SetPixel(x, y, color);
    }

    /// <summary>Colour of one pixel; alpha is 255 in an RGB image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The pixel lies outside the image.</exception>
    public Rgba GetPixel(int x, int y)
    {
        if (!Contains(x, y)) throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside the {Width} x {Height} image.");
        var i = (y * Width + x) * Channels;
        return new(_pixels[i], _pixels[i + 1], _pixels[i + 2], HasAlpha ? _pixels[i + 3] : (byte)255);
    }

    /// <summary>Replaces one pixel's colour, alpha included (no blending); ignored outside the image.</summary>
    public void SetPixel(int x, int y, Rgba color)
    {
        if (!Contains(x, y)) return;
        var i = (y * Width + x) * Channels;
        _pixels[i] = color.R;
        _pixels[i + 1] = color.G;
        _pixels[i + 2] = color.B;
        if (HasAlpha) _pixels[i + 3] = color.A;
    }

    /// <summary>Paints <paramref name="color"/> over one pixel, blending by its alpha ("source over"); ignored outside the image.</summary>
    public void BlendPixel(int x, int y, Rgba color)
    {
        if (color.A == 255 || !Contains(x, y))
        {
            SetPixel(x, y, color);
            return;
        }
        if (color.A == 0) return;
        var dst = GetPixel(x, y);
        var sa = color.A / 255.0;
        var da = dst.A / 255.0;
        var oa = sa + da * (1 - sa);
        byte Mix(byte s, byte d) => (byte)Math.Round((s * sa + d * da * (1 - sa)) / oa);
        SetPixel(x, y, new Rgba(Mix(color.R, dst.R), Mix(color.G, dst.G), Mix(color.B, dst.B), (byte)Math.Round(oa * 255)));
    }

    /// <summary>Fills the rectangle with top-left corner (<paramref name="x"/>, <paramref name="y"/>), clipped to the image.</summary>
    public void FillRect(int x, int y, int width, int height, Rgba color)
    {
        var x0 = Math.Max(0, x);
        var y0 = Math.Max(0, y);
        var x1 = Math.Min(Width, x + width);
        var y1 = Math.Min(Height, y + height);
        for (var py = y0; py < y1; py++)
            for (var px = x0; px < x1; px++)
                BlendPixel(px, py, color);
    }

    /// <summary>Draws a rectangle outline of the given line thickness, inside the rectangle's bounds.</summary>
    public void DrawRect(int x, int y, int width, int height, Rgba color, int thickness = 1)
    {
        var t = Math.Min(thickness, Math.Min(width, height));
        FillRect(x, y, width, t, color);
        FillRect(x, y + height - t, width, t, color);
        FillRect(x, y + t, t, height - 2 * t, color);
        FillRect(x + width - t, y + t, t, height - 2 * t, color);
    }

    /// <summary>Fills a disc of <paramref name="radius"/> pixels centred on (<paramref name="cx"/>, <paramref name="cy"/>).</summary>
    public void FillCircle(int cx, int cy, double radius, Rgba color)
    {
        var r = (int)Math.Ceiling(radius);
        // The +0.25 keeps small discs round instead of diamond-shaped.
        var r2 = radius * radius + 0.25;
        for (var dy = -r; dy <= r; dy++)
            for (var dx = -r; dx <= r; dx++)
                if (dx * dx + dy * dy <= r2) BlendPixel(cx + dx, cy + dy, color);
    }

    /// <summary>
    /// Draws a straight line with Bresenham's algorithm, stamping a round brush of
    /// <paramref name="thickness"/> pixels at every step.
    /// </summary>
    public void DrawLine(int x0, int y0, int x1, int y1, Rgba color, int thickness = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(thickness);
        // Brush offsets are computed once; a pixel is painted once per stamp, so translucent
        // colours darken where stamps overlap. Lines are meant to be drawn opaque.
        var brush = Brush(thickness);
        int dx = Math.Abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
        int dy = -Math.Abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
        var err = dx + dy;
        while (true)
        {
            foreach (var (bx, by) in brush) BlendPixel(x0 + bx, y0 + by, color);
            if (x0 == x1 && y0 == y1) break;
            var e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }

    /// <summary>
    /// Draws text with the built-in 5x7 <see cref="BitmapFont"/>, each font pixel a
    /// <paramref name="scale"/> x <paramref name="scale"/> block; (<paramref name="x"/>, <paramref name="y"/>)
    /// is the top-left corner of the first character. '\n' starts a new line.
    /// </summary>
    public void DrawText(int x, int y, string text, Rgba color, int scale = 1) =>
        DrawGlyphs(text, scale, (gx, gy) => FillRect(x + gx * scale, y + gy * scale, scale, scale, color));

    /// <summary>
    /// Draws text rotated a quarter turn anticlockwise, reading bottom to top (as on a y-axis label);
    /// (<paramref name="x"/>, <paramref name="y"/>) is the bottom-left corner of the first character.
    /// Its footprint is <see cref="BitmapFont.Measure"/> with width and height swapped.
    /// </summary>
    public void DrawTextVertical(int x, int y, string text, Rgba color, int scale = 1) =>
        DrawGlyphs(text, scale, (gx, gy) => FillRect(x + gy * scale, y - (gx + 1) * scale, scale, scale, color));

    /// <summary>Encodes the image as PNG bytes.</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Writes the PNG: signature, IHDR, one IDAT (zlib, filter type 0 on every row), IEND.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], Height);
        header[8] = 8;                          // bit depth
        header[9] = (byte)(HasAlpha ? 6 : 2);   // colour type: truecolour with or without alpha
        header[10] = 0;                         // compression: deflate
        header[11] = 0;                         // filter method: adaptive (we use type 0, None, throughout)
        header[12] = 0;                         // no interlace
        WriteChunk(stream, "IHDR", header);

        WriteChunk(stream, "IDAT", CompressScanlines());
        WriteChunk(stream, "IEND", []);
    }

    /// <summary>Writes the PNG to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public void Save(string path) { byte[] png = Encode(); AtomicFile.WriteCreatingFolder(path, stream => stream.Write(png)); }

    private bool Contains(int x, int y) => (uint)x < (uint)Width && (uint)y < (uint)Height;

    private void DrawGlyphs(string text, int scale, Action<int, int> plot)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        int column = 0, line = 0;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                line++;
                column = 0;
                continue;
            }
            for (var gx = 0; gx < BitmapFont.GlyphWidth; gx++)
                for (var gy = 0; gy < BitmapFont.GlyphHeight; gy++)
                    if (BitmapFont.IsInk(c, gx, gy))
                        plot(column * BitmapFont.Advance + gx, line * BitmapFont.LineHeight + gy);
            column++;
        }
    }

    private static List<(int X, int Y)> Brush(int thickness)
    {
        // Offsets lo..hi span exactly `thickness` pixels; corners outside the disc are dropped.
        int lo = -(thickness - 1) / 2, hi = thickness / 2;
        var centre = (lo + hi) / 2.0;
        var r2 = thickness * thickness / 4.0 + 0.25;
        var brush = new List<(int, int)>();
        for (var by = lo; by <= hi; by++)
            for (var bx = lo; bx <= hi; bx++)
                if ((bx - centre) * (bx - centre) + (by - centre) * (by - centre) <= r2) brush.Add((bx, by));
        return brush;
    }

    private byte[] CompressScanlines()
    {
        var rowBytes = Width * Channels;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < Height; y++)
            {
                zlib.WriteByte(0); // filter type None
                zlib.Write(_pixels, y * rowBytes, rowBytes);
            }
        }
        return compressed.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        // The CRC covers the chunk type and data, not the length.
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Compute(typeBytes), data));
        stream.Write(word);
    }
}
