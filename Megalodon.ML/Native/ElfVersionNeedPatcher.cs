using System.Buffers.Binary;
using System.Text;

namespace Megalodon.ML.Native;

/// <summary>
/// Edits the version-need table (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared object so that one
/// required symbol version becomes weak. A weak version need lets the dynamic loader accept a system library that
/// lacks that version, as long as no symbol that is actually bound requires it.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for <c>GLIBCXX_3.4.32</c> (GCC 13) only for
/// <c>std::ios_base_library_init()</c>, which nothing relocates against; Debian 12 and Ubuntu 22.04 ship 3.4.30.
/// Setting <c>VER_FLG_WEAK</c> on that one entry is the whole fix.
/// </remarks>
public static class ElfVersionNeedPatcher
{
    private const uint SectionTypeGnuVersionNeed = 0x6ffffffe;
    private const ushort VersionFlagWeak = 0x2;

    /// <summary>One entry of the version-need table: the library that provides it, the version name, and its flags.</summary>
    /// <param name="File">The needed library's file name (for example <c>libstdc++.so.6</c>).</param>
    /// <param name="Version">The version name (for example <c>GLIBCXX_3.4.32</c>).</param>
    /// <param name="Flags">The raw <c>vna_flags</c> value.</param>
    /// <param name="FlagsOffset">Byte offset of <c>vna_flags</c> in the file.</param>
    public readonly record struct VersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
    {
        /// <summary>True when the entry carries <c>VER_FLG_WEAK</c>.</summary>
        public bool IsWeak => (Flags & VersionFlagWeak) != 0;
    }

    /// <summary>Lists every version-need entry of an ELF64 little-endian image.</summary>
    /// <param name="image">The whole file's bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not an ELF64 little-endian image, or the table is malformed.</exception>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> image)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (image[4] != 2 || image[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");

        long sectionHeaderOffset = ReadInt64(image, 0x28);
        int sectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3A..]);
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3C..]);
        var result = new List<VersionNeed>();
        for (int s = 0; s < sectionCount; s++)
        {
            var header = Slice(image, sectionHeaderOffset + (long)s * sectionHeaderSize, 64);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != SectionTypeGnuVersionNeed)
                continue;
            long tableOffset = ReadInt64(header, 0x18);
            int stringSection = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]);
            int needCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]);
            var stringHeader = Slice(image, sectionHeaderOffset + (long)stringSection * sectionHeaderSize, 64);
            long stringTable = ReadInt64(stringHeader, 0x18);

            long need = tableOffset;
            for (int n = 0; n < needCount; n++)
            {
                var entry = Slice(image, need, 16);
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
                string file = ReadString(image, stringTable + BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    var auxEntry = Slice(image, aux, 16);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(auxEntry[4..]);
                    string version = ReadString(image, stringTable + BinaryPrimitives.ReadUInt32LittleEndian(auxEntry[8..]));
                    result.Add(new VersionNeed(file, version, flags, aux + 4));
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(auxEntry[12..]);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint nextNeed = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
        }
        return result;
    }

    /// <summary>
    /// Marks the need for <paramref name="version"/> weak in the file at <paramref name="path"/>. The file is replaced
    /// atomically (a patched copy is renamed over it), so a process that already mapped the old file is unaffected.
    /// </summary>
    /// <returns>True when the file was changed; false when the version is absent or already weak.</returns>
    public static bool MakeVersionNeedWeak(string path, string version)
    {
        byte[] image = File.ReadAllBytes(path);
        if (!MakeVersionNeedWeak(image, version))
            return false;
        string temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(temp, image);
        File.Move(temp, path, overwrite: true);
        return true;
    }

    /// <summary>Marks the need for <paramref name="version"/> weak in an in-memory image.</summary>
    /// <returns>True when the image was changed.</returns>
    public static bool MakeVersionNeedWeak(Span<byte> image, string version)
    {
        bool changed = false;
        foreach (var need in ReadVersionNeeds(image))
        {
            if (need.Version != version || need.IsWeak)
                continue;
            BinaryPrimitives.WriteUInt16LittleEndian(image[(int)need.FlagsOffset..], (ushort)(need.Flags | VersionFlagWeak));
            changed = true;
        }
        return changed;
    }

    private static long ReadInt64(ReadOnlySpan<byte> span, int offset) => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(span[offset..]));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> image, long offset, int length)
    {
        if (offset < 0 || offset + length > image.Length)
            throw new InvalidDataException($"ELF structure at offset {offset} runs past the end of the file.");
        return image.Slice((int)offset, length);
    }

    private static string ReadString(ReadOnlySpan<byte> image, long offset)
    {
        var tail = Slice(image, offset, 1).Length == 1 ? image[(int)offset..] : default;
        int end = tail.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException("Unterminated string in ELF string table.");
        return Encoding.ASCII.GetString(tail[..end]);
    }
}
