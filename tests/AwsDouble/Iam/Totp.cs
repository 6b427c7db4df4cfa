using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AwsDouble.Iam;

/// <summary>
/// RFC 6238 time-based codes (HMAC-SHA1, 30-second steps, 6 digits), the kind an authenticator app shows for an IAM
/// virtual MFA device. EnableMFADevice wants two consecutive codes.
/// </summary>
public static class Totp
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    public static string Code(ReadOnlySpan<byte> key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
        HMACSHA1.HashData(key, counter, hash);
        var offset = hash[^1] & 0x0f;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7fffffff) % 1_000_000;
        return value.ToString("D6", CultureInfo.InvariantCulture);
    }

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / (long)Step.TotalSeconds;

    /// <summary>The code of the step before <paramref name="time"/> and the code of its own step, as a person would type them.</summary>
    public static (string First, string Second) ConsecutiveCodes(string base32Seed, DateTimeOffset time)
    {
        var key = Base32.Decode(base32Seed);
        var step = StepAt(time);
        return (Code(key, step - 1), Code(key, step));
    }
}

/// <summary>RFC 4648 base32 without padding, as IAM's Base32StringSeed uses it.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var builder = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                builder.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) builder.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return builder.ToString();
    }

    public static byte[] Decode(string text)
    {
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0) throw new FormatException($"'{c}' is not a base32 character");
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((buffer >> (bits - 8)) & 0xff));
                bits -= 8;
            }
        }
        return [.. output];
    }
}
