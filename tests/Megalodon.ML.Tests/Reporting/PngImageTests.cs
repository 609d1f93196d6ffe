using System.Text;
using Megalodon.ML.Reporting;

namespace Megalodon.ML.Tests.Reporting;

[TestClass]
public sealed class PngImageTests
{
    private string TempPng(string name) => Path.Combine(Path.GetTempPath(), $"megalodon-reporting-{name}-{Guid.NewGuid():N}.png");

    [TestMethod]
    public void Crc32MatchesTheStandardCheckValue() =>
        Assert.AreEqual(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));

    [TestMethod]
    [DataRow(false, 2, 3)]
    [DataRow(true, 6, 4)]
    public void SavedPngParsesBackWithValidChunksAndPixels(bool hasAlpha, int colorType, int channels)
    {
        var image = new PngImage(7, 5, hasAlpha, background: new Rgba(10, 20, 30));
        image.SetPixel(3, 2, new Rgba(200, 100, 50, 128));
        image.SetPixel(6, 4, Rgba.White);
        var path = TempPng("pixels");
        try
        {
            image.Save(path);
            var png = PngTestReader.Read(path);
            CollectionAssert.AreEqual(new[] { "IHDR", "IDAT", "IEND" }, png.ChunkTypes);
            Assert.AreEqual(7, png.Width);
            Assert.AreEqual(5, png.Height);
            Assert.AreEqual(8, png.BitDepth);
            Assert.AreEqual(colorType, png.ColorType);
            Assert.AreEqual(0, png.Interlace);
            Assert.AreEqual(5 * (1 + 7 * channels), png.Raw.Length);
            for (var y = 0; y < 5; y++) Assert.AreEqual(0, png.Raw[y * (1 + 7 * channels)], $"filter byte of row {y}");
            Assert.AreEqual(((byte)200, (byte)100, (byte)50, hasAlpha ? (byte)128 : (byte)255), png.Pixel(3, 2));
            Assert.AreEqual(((byte)255, (byte)255, (byte)255, (byte)255), png.Pixel(6, 4));
            Assert.AreEqual(((byte)10, (byte)20, (byte)30, (byte)255), png.Pixel(0, 0));
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void SaveLeavesNoTemporaryFilesBehind()
    {
        var dir = Directory.CreateTempSubdirectory("megalodon-reporting-").FullName;
        try
        {
            var path = Path.Combine(dir, "a.png");
            new PngImage(2, 2).Save(path);
            new PngImage(3, 3).Save(path); // overwrite in place
            CollectionAssert.AreEqual(new[] { "a.png" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
            Assert.AreEqual(3, PngTestReader.Read(path).Width);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [TestMethod]
    public void DrawingIsClippedAtTheEdges()
    {
        var image = new PngImage(4, 4);
        image.FillRect(-10, -10, 12, 12, Rgba.Black);
        image.DrawLine(-5, 3, 10, 3, Rgba.Black, thickness: 3);
        Assert.AreEqual(Rgba.Black, image.GetPixel(1, 1));
        Assert.AreEqual(Rgba.White, image.GetPixel(3, 0));
        Assert.AreEqual(Rgba.Black, image.GetPixel(3, 3));
        // 'H' hangs off the top edge: its left stroke still shows at x = 2..3.
        image.DrawText(2, -3, "Hello", Rgba.Black, scale: 2);
        Assert.AreEqual(Rgba.Black, image.GetPixel(3, 0));
    }

    [TestMethod]
    public void ThickLinesCoverTheirWidth()
    {
        var image = new PngImage(20, 20);
        image.DrawLine(2, 10, 17, 10, Rgba.Black, thickness: 3);
        for (var y = 9; y <= 11; y++) Assert.AreEqual(Rgba.Black, image.GetPixel(10, y), $"row {y}");
        Assert.AreEqual(Rgba.White, image.GetPixel(10, 8));
        Assert.AreEqual(Rgba.White, image.GetPixel(10, 12));
        image.DrawLine(0, 0, 19, 19, Rgba.Black);
        for (var i = 0; i < 20; i++) Assert.AreEqual(Rgba.Black, image.GetPixel(i, i), $"diagonal pixel {i}");
    }

    [TestMethod]
    public void TextInksPixelsInsideItsMeasuredBox()
    {
        var image = new PngImage(60, 30);
        const string text = "Ag|9";
        var (w, h) = BitmapFont.Measure(text, scale: 2);
        Assert.AreEqual((4 * 6 - 1) * 2, w);
        Assert.AreEqual(18, h); // nine rows: descenders included
        image.DrawText(5, 6, text, Rgba.Black, scale: 2);
        var inked = 0;
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                if (image.GetPixel(x, y) == Rgba.Black)
                {
                    inked++;
                    Assert.IsTrue(x >= 5 && x < 5 + w && y >= 6 && y < 6 + h, $"ink at ({x}, {y}) outside the measured box");
                }
        Assert.IsGreaterThan(40, inked);
    }

    [TestMethod]
    public void EveryPrintableAsciiCharacterExceptSpaceHasInk()
    {
        for (var c = '!'; c <= '~'; c++)
        {
            var any = false;
            for (var x = 0; x < BitmapFont.GlyphWidth; x++)
                for (var y = 0; y < BitmapFont.GlyphHeight; y++)
                    any |= BitmapFont.IsInk(c, x, y);
            Assert.IsTrue(any, $"glyph '{c}' is blank");
        }
    }

    [TestMethod]
    public void BlendingHalfTransparentBlackOverWhiteGivesGrey()
    {
        var image = new PngImage(1, 1);
        image.BlendPixel(0, 0, new Rgba(0, 0, 0, 128));
        Assert.AreEqual(new Rgba(127, 127, 127), image.GetPixel(0, 0));
    }
}
