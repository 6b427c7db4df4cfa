using ZXing.Common;
using ZXing.QrCode.Internal;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// Reads back a QR code drawn in a terminal with half blocks (light modules drawn, two rows per character cell), as a
/// phone's camera reads the screen: the screen's characters become modules, ZXing's decoder reads the symbol.
/// </summary>
internal static class TerminalQrCode
{
    private const string Blocks = "█▀▄";

    public static string Read(IReadOnlyList<string> screen)
    {
        var rows = screen.SkipWhile(l => !IsQrLine(l)).TakeWhile(IsQrLine).ToList();
        if (rows.Count == 0) throw new InvalidOperationException("no QR code on the screen:\n" + string.Join('\n', screen));
        var width = rows.Max(r => r.Length);
        var light = new List<bool[]>();
        foreach (var row in rows)
        {
            var top = new bool[width];
            var bottom = new bool[width];
            for (var x = 0; x < width; x++)
            {
                var c = x < row.Length ? row[x] : ' ';
                top[x] = c is '█' or '▀';
                bottom[x] = c is '█' or '▄';
            }
            light.Add(top);
            light.Add(bottom);
        }
        // The quiet zone (and the padding half row) is light all across: what is left is the symbol.
        var first = light.FindIndex(r => r.Any(v => !v));
        var last = light.FindLastIndex(r => r.Any(v => !v));
        var left = Enumerable.Range(0, width).First(x => light.Any(r => !r[x]));
        var right = Enumerable.Range(0, width).Last(x => light.Any(r => !r[x]));
        var size = right - left + 1;
        if (last - first + 1 != size) throw new InvalidOperationException($"the QR code is not square: {size} x {last - first + 1}");
        var bits = new BitMatrix(size, size);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                bits[x, y] = !light[first + y][left + x];
        var result = new Decoder().decode(bits, null) ?? throw new InvalidOperationException("ZXing could not decode the QR code");
        return result.Text;
    }

    private static bool IsQrLine(string line) => line.Length > 20 && line.All(c => c == ' ' || Blocks.Contains(c)) && line.Contains('█');
}
