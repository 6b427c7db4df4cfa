using System.Globalization;

namespace MfaConfigRule.Benchmarks;

/// <summary>Median and spread of repeated measurements: on shared, noisy cores a single number means little.</summary>
internal sealed record Spread(double Median, double Min, double Max, int Runs)
{
    public static Spread Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no measurements", nameof(values));
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>"1.23 (1.20–1.31)" with the given format.</summary>
    public string Format(string format) =>
        $"{Markdown.Number(Median, format)} ({Markdown.Number(Min, format)}–{Markdown.Number(Max, format)})";
}

/// <summary>Writes GitHub-flavoured markdown tables.</summary>
internal sealed class Markdown(TextWriter writer)
{
    public void Heading(string text) => writer.WriteLine($"\n### {text}\n");

    public void Line(string text) => writer.WriteLine(text);

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        writer.WriteLine($"| {string.Join(" | ", header)} |");
        writer.WriteLine($"|{string.Concat(header.Select(_ => "---|"))}");
        foreach (var row in rows) writer.WriteLine($"| {string.Join(" | ", row)} |");
    }

    public static string Number(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
