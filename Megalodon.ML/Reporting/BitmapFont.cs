namespace Megalodon.ML.Reporting;

/// <summary>
/// A built-in 5x7 pixel font for printable ASCII (32..126), so charts need no font files or packages.
/// Capitals and digits fill rows 0..6; g, j, p, q and y hang two rows below into a 5x9 cell.
/// Characters outside the range draw as '?'.
/// </summary>
public static class BitmapFont
{
    /// <summary>Glyph width in font pixels.</summary>
    public const int GlyphWidth = 5;
    /// <summary>Height of capitals and digits in font pixels (rows 0..6; the baseline is under row 6).</summary>
    public const int CapHeight = 7;
    /// <summary>Glyph cell height in font pixels, descenders included.</summary>
    public const int GlyphHeight = CapHeight + 2;
    /// <summary>Horizontal distance from one character to the next (glyph plus one pixel of spacing).</summary>
    public const int Advance = GlyphWidth + 1;
    /// <summary>Vertical distance from one line of text to the next.</summary>
    public const int LineHeight = GlyphHeight + 2;

    private const char First = ' ';
    private const char Last = '~';

    // ASCII 32..126 in order, ten glyphs a line: five column bytes each, left to right, bit 0 the top row.
    private static readonly byte[] Glyphs = Convert.FromHexString(
        "0000000000" + "00005F0000" + "0007000700" + "147F147F14" + "242A7F2A12" + "2313086462" + "3649552250" + "0005030000" + "001C224100" + "0041221C00" +
        "082A1C2A08" + "08083E0808" + "0050300000" + "0808080808" + "0060600000" + "2010080402" + "3E5149453E" + "00427F4000" + "4261514946" + "2141454B31" +
        "1814127F10" + "2745454539" + "3C4A494930" + "0171090503" + "3649494936" + "064949291E" + "0036360000" + "0056360000" + "0008142241" + "1414141414" +
        "4122140800" + "0201510906" + "324979413E" + "7E1111117E" + "7F49494936" + "3E41414122" + "7F4141221C" + "7F49494941" + "7F09090101" + "3E41415132" +
        "7F0808087F" + "00417F4100" + "2040413F01" + "7F08142241" + "7F40404040" + "7F0204027F" + "7F0408107F" + "3E4141413E" + "7F09090906" + "3E4151215E" +
        "7F09192946" + "4649494931" + "01017F0101" + "3F4040403F" + "1F2040201F" + "7F2018207F" + "6314081463" + "0304780403" + "6151494543" + "00007F4141" +
        "0204081020" + "41417F0000" + "0402010204" + "4040404040" + "0001020400" + "2054545478" + "7F48444438" + "3844444420" + "384444487F" + "3854545418" +
        "087E090102" + "081454543C" + "7F08040478" + "00447D4000" + "2040443D00" + "007F102844" + "00417F4000" + "7C04180478" + "7C08040478" + "3844444438" +
        "7C14141408" + "081414187C" + "7C08040408" + "4854545420" + "043F444020" + "3C4040207C" + "1C2040201C" + "3C4030403C" + "4428102844" + "0C5050503C" +
        "4464544C44" + "0008364100" + "00007F0000" + "0041360800" + "0804081008");

    // Letters with descenders, redrawn on nine rows (bits 7 and 8 fall below the baseline).
    private static readonly Dictionary<char, ushort[]> Descenders = new()
    {
        ['g'] = [0x038, 0x144, 0x144, 0x144, 0x0FC],
        ['j'] = [0x080, 0x100, 0x104, 0x0FD, 0x000],
        ['p'] = [0x1FC, 0x044, 0x044, 0x044, 0x038],
        ['q'] = [0x038, 0x044, 0x044, 0x044, 0x1FC],
        ['y'] = [0x03C, 0x140, 0x140, 0x140, 0x0FC],
    };

    /// <summary>Whether the font pixel at (<paramref name="column"/>, <paramref name="row"/>) of a character's glyph is ink.</summary>
    public static bool IsInk(char c, int column, int row)
    {
        if ((uint)column >= GlyphWidth || (uint)row >= GlyphHeight) return false;
        if (c < First || c > Last) c = '?';
        var bits = Descenders.TryGetValue(c, out var tall) ? tall[column] : Glyphs[(c - First) * GlyphWidth + column];
        return (bits >> row & 1) != 0;
    }

    /// <summary>
    /// Size in image pixels of <paramref name="text"/> drawn at <paramref name="scale"/>
    /// ('\n' starts a new line). The width excludes the trailing spacing column.
    /// </summary>
    public static (int Width, int Height) Measure(string text, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return (0, 0);
        var lines = text.Split('\n');
        var longest = lines.Max(l => l.Length);
        var width = longest == 0 ? 0 : (longest * Advance - 1) * scale;
        var height = ((lines.Length - 1) * LineHeight + GlyphHeight) * scale;
        return (width, height);
    }
}
