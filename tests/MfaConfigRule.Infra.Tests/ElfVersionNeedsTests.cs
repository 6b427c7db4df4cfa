using System.Buffers.Binary;
using System.Text;
using Amazon.JSII.Runtime.Deputy;
using MfaConfigRule.Infra.Bundling;

namespace MfaConfigRule.Infra.Tests;

public sealed class ElfVersionNeedsTests
{
    [Fact]
    public void HighestGlibc_SeveralVersionsNeeded_ReturnsTheNewest()
    {
        var elf = ElfWithVersionNeeds(("libc.so.6", ["GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.17"]), ("libgcc_s.so.1", ["GCC_3.0"]));

        Assert.Equal(new Version(2, 34), ElfVersionNeeds.HighestGlibc(elf));
        Assert.Equal(["GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.17", "GCC_3.0"], ElfVersionNeeds.Read(elf));
    }

    [Fact]
    public void HighestGlibc_NoVersionNeeds_IsNull()
    {
        Assert.Null(ElfVersionNeeds.HighestGlibc(ElfWithVersionNeeds()));
    }

    [Fact]
    public void EnsureGlibcAtMost_BinaryNeedingNewerGlibcThanLambda_FailsNamingBothVersions()
    {
        var path = Path.Combine(Path.GetTempPath(), "elf-test-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, ElfWithVersionNeeds(("libc.so.6", ["GLIBC_2.2.5", "GLIBC_2.38"])));
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => ElfVersionNeeds.EnsureGlibcAtMost(path, AotBootstrapBundler.LambdaGlibc));

            Assert.Contains("GLIBC_2.38", error.Message, StringComparison.Ordinal);
            Assert.Contains("2.34", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EnsureGlibcAtMost_BinaryNeedingExactlyLambdasGlibc_Passes()
    {
        var path = Path.Combine(Path.GetTempPath(), "elf-test-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, ElfWithVersionNeeds(("libc.so.6", ["GLIBC_2.34"])));
        try
        {
            ElfVersionNeeds.EnsureGlibcAtMost(path, AotBootstrapBundler.LambdaGlibc);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_NotAnElfFile_Throws()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(Encoding.ASCII.GetBytes("#!/bin/sh\nexit 0\n".PadRight(80))));
    }

    [Fact]
    public void AotBootstrapBundler_IsAJsiiDeputy_SoCdkCallsItInsteadOfDocker()
    {
        Assert.True(typeof(DeputyBase).IsAssignableFrom(typeof(AotBootstrapBundler)));
    }

    /// <summary>A minimal ELF64 file: header, a string table, a <c>.gnu.version_r</c> section and the section headers.</summary>
    private static byte[] ElfWithVersionNeeds(params (string File, string[] Versions)[] needs)
    {
        var strings = new List<byte> { 0 };
        int Add(string s)
        {
            var offset = strings.Count;
            strings.AddRange(Encoding.ASCII.GetBytes(s));
            strings.Add(0);
            return offset;
        }

        var verneed = new List<byte>();
        for (var n = 0; n < needs.Length; n++)
        {
            var (file, versions) = needs[n];
            var entry = new byte[16];
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(0), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(2), (ushort)versions.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4), (uint)Add(file));
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(8), 16);
            var size = 16 + (16 * versions.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(12), n == needs.Length - 1 ? 0u : (uint)size);
            verneed.AddRange(entry);
            for (var v = 0; v < versions.Length; v++)
            {
                var aux = new byte[16];
                BinaryPrimitives.WriteUInt16LittleEndian(aux.AsSpan(6), (ushort)(2 + v));
                BinaryPrimitives.WriteUInt32LittleEndian(aux.AsSpan(8), (uint)Add(versions[v]));
                BinaryPrimitives.WriteUInt32LittleEndian(aux.AsSpan(12), v == versions.Length - 1 ? 0u : 16u);
                verneed.AddRange(aux);
            }
        }

        const int headerSize = 64, sectionHeaderSize = 64;
        var stringsOffset = headerSize;
        var verneedOffset = stringsOffset + strings.Count;
        var sectionsOffset = verneedOffset + verneed.Count;
        var elf = new byte[sectionsOffset + (3 * sectionHeaderSize)];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2; // 64-bit
        elf[5] = 1; // little-endian
        elf[6] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), (ulong)sectionsOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3A), sectionHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3C), 3);
        strings.ToArray().CopyTo(elf, stringsOffset);
        verneed.ToArray().CopyTo(elf, verneedOffset);

        // Section 0 is the null section; 1 the string table; 2 the version needs, linked to 1.
        var dynstr = elf.AsSpan(sectionsOffset + sectionHeaderSize, sectionHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dynstr[4..], 3);
        BinaryPrimitives.WriteUInt64LittleEndian(dynstr[0x18..], (ulong)stringsOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(dynstr[0x20..], (ulong)strings.Count);
        var versionR = elf.AsSpan(sectionsOffset + (2 * sectionHeaderSize), sectionHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(versionR[4..], 0x6ffffffe);
        BinaryPrimitives.WriteUInt64LittleEndian(versionR[0x18..], (ulong)verneedOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(versionR[0x20..], (ulong)verneed.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(versionR[0x28..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(versionR[0x2C..], (uint)needs.Length);
        return elf;
    }
}
