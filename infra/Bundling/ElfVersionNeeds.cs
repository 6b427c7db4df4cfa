using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MfaConfigRule.Infra.Bundling;

/// <summary>
/// The symbol versions an ELF executable needs from its shared libraries (its <c>.gnu.version_r</c> section), read
/// without binutils so the check runs wherever synthesis runs. Lambda's <c>provided.al2023</c> ships glibc 2.34: a
/// bootstrap linked against a newer glibc symbol fails at start-up with "version GLIBC_2.xx not found", which is
/// cheaper to catch at synthesis than after a deploy.
/// </summary>
internal static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>The highest <c>GLIBC_x.y</c> version the file needs, or null when it needs none.</summary>
    public static Version? HighestGlibc(ReadOnlySpan<byte> elf)
    {
        Version? highest = null;
        foreach (var name in Read(elf))
        {
            if (!name.StartsWith("GLIBC_", StringComparison.Ordinal)) continue;
            if (!Version.TryParse(name["GLIBC_".Length..], out var version)) continue;
            if (highest is null || version > highest) highest = version;
        }
        return highest;
    }

    /// <summary>Every version name (e.g. <c>GLIBC_2.34</c>, <c>GCC_3.0</c>) the file's version-needs section lists.</summary>
    public static IReadOnlyList<string> Read(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported (the Lambda x86_64 bootstrap is one)");

        var sectionTable = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]));
        var sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);

        var names = new List<string>();
        for (var index = 0; index < sectionCount; index++)
        {
            var header = Slice(elf, sectionTable + (index * sectionSize), sectionSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed) continue;

            var entries = Section(elf, header);
            var entryCount = BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]);
            var stringsIndex = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]));
            var strings = Section(elf, Slice(elf, sectionTable + (stringsIndex * sectionSize), sectionSize));

            var need = 0;
            for (var n = 0; n < entryCount; n++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(entries[(need + 2)..]);
                var aux = need + checked((int)BinaryPrimitives.ReadUInt32LittleEndian(entries[(need + 8)..]));
                for (var a = 0; a < auxCount; a++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    names.Add(CString(strings, checked((int)BinaryPrimitives.ReadUInt32LittleEndian(entries[(aux + 8)..]))));
                    aux += checked((int)BinaryPrimitives.ReadUInt32LittleEndian(entries[(aux + 12)..]));
                }
                need += checked((int)BinaryPrimitives.ReadUInt32LittleEndian(entries[(need + 12)..]));
            }
        }
        return names;
    }

    /// <summary>Throws with a message a person can act on when the file needs a newer glibc than <paramref name="limit"/>.</summary>
    public static void EnsureGlibcAtMost(string path, Version limit)
    {
        var highest = HighestGlibc(File.ReadAllBytes(path));
        if (highest is not null && highest > limit)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{path} needs GLIBC_{highest} but Lambda's provided.al2023 has glibc {limit}: the function would fail at start-up. Publish on a machine whose glibc is not newer than the runtime's (or in an Amazon Linux 2023 container)."));
    }

    private static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> elf, ReadOnlySpan<byte> header) =>
        Slice(elf, checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..])),
            checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..])));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, int offset, int length)
    {
        if (offset < 0 || length < 0 || offset > elf.Length - length)
            throw new InvalidDataException("truncated ELF file: a section lies outside the file");
        return elf.Slice(offset, length);
    }

    private static string CString(ReadOnlySpan<byte> strings, int offset)
    {
        var rest = strings[offset..];
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
