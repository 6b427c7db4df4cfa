using System.Text.RegularExpressions;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The deployment variants infra/check-templates.sh synthesizes and lints, read from its <c>variants=(...)</c> list, so
/// the template tests assert their facts on exactly the variants the deployability check covers.
/// </summary>
internal static partial class TemplateVariants
{
    public const string Script = "infra/check-templates.sh";

    /// <summary>Each variant's name and CDK context (<c>-c key=value</c> pairs).</summary>
    public static IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Context)> All { get; } = Read();

    /// <summary>
    /// The variants whose app is the single-account stack or the central Organization deployment, which the shared
    /// variant tests build; the per-account template and per-account evaluation have tests of their own
    /// (AccountTemplateTests, OrganizationPerAccountTemplateTests).
    /// </summary>
    public static TheoryData<string> Names => new(All.Where(v => !IsPerAccount(v.Context)).Select(v => v.Name));

    /// <summary>A variant of the per-account template or of per-account evaluation.</summary>
    public static bool IsPerAccount(IReadOnlyDictionary<string, string> context) =>
        context.GetValueOrDefault("mfaRule:deployment") == "account-template" || context.GetValueOrDefault("mfaRule:evaluation") == "per-account";

    public static SynthesizedApp Synthesize(string name)
    {
        var context = All.Single(v => v.Name == name).Context.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
        return SynthesizedApp.Create(context);
    }

    private static List<(string, IReadOnlyDictionary<string, string>)> Read()
    {
        var script = File.ReadAllText(Path.Combine(SynthesizedApp.RepositoryRoot(), Script));
        var list = VariantList().Match(script);
        if (!list.Success) throw new InvalidOperationException($"{Script} has no variants=( ... ) list");
        var variants = new List<(string, IReadOnlyDictionary<string, string>)>();
        foreach (Match line in VariantLine().Matches(list.Groups["body"].Value))
        {
            var words = line.Groups["variant"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var context = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (var i = 1; i < words.Length; i += 2)
            {
                if (words[i] != "-c" || i + 1 >= words.Length || !words[i + 1].Contains('=', StringComparison.Ordinal))
                    throw new InvalidOperationException($"{Script}: variant '{line.Value}' is not a name followed by -c key=value pairs");
                var pair = words[i + 1].Split('=', 2);
                context[pair[0]] = pair[1];
            }
            variants.Add((words[0], context));
        }
        if (variants.Count == 0) throw new InvalidOperationException($"{Script}: the variants list is empty");
        return variants;
    }

    [GeneratedRegex(@"^variants=\((?<body>.*?)^\)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex VariantList();

    [GeneratedRegex("\"(?<variant>[^\"]+)\"")]
    private static partial Regex VariantLine();
}
