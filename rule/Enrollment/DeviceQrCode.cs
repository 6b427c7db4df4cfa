using System.Text;
using QRCoder;

namespace MfaConfigRule.Enrollment;

/// <summary>
/// The QR code an authenticator app scans: a Key URI (<c>otpauth://totp/…?secret=…</c>) as IAM's console shows it,
/// drawn in the terminal or as a PNG. The picture holds the secret, so it goes only where the person asked.
/// </summary>
internal static class DeviceQrCode
{
    private const string Issuer = "Amazon Web Services";

    /// <summary>The Key URI: label "Amazon Web Services:USER@ACCOUNT", the Base32 secret, the issuer.</summary>
    public static string KeyUri(EnrollmentTarget target, VirtualMfaDeviceSecret device) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString($"{target.UserName}@{target.AccountId}")}" +
        $"?secret={device.Base32Seed}&issuer={Uri.EscapeDataString(Issuer)}";

    /// <summary>
    /// Two modules per character cell with half blocks, light modules drawn (as <c>qrencode -t UTF8</c> does) so that
    /// on a dark terminal the code reads dark-on-light, quiet zone included.
    /// </summary>
    public static string ForTerminal(string keyUri)
    {
        using var data = Encode(keyUri);
        var matrix = data.ModuleMatrix;
        var size = matrix.Count;
        var text = new StringBuilder();
        for (var row = 0; row < size; row += 2)
        {
            for (var column = 0; column < size; column++)
            {
                var top = !matrix[row][column];
                var bottom = row + 1 < size ? !matrix[row + 1][column] : true;
                text.Append((top, bottom) switch
                {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    _ => ' ',
                });
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    public static byte[] ForPng(string keyUri)
    {
        using var data = Encode(keyUri);
        return new PngByteQRCode(data).GetGraphic(8);
    }

    private static QRCodeData Encode(string keyUri)
    {
        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(keyUri, QRCodeGenerator.ECCLevel.M);
    }
}
