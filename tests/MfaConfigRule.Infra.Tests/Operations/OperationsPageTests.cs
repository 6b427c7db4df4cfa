using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Tests.Operations;

/// <summary>
/// docs/operations.md's tables of the dashboard's widgets and of the alarms are rendered from the synthesized templates:
/// the page cannot drift from what is deployed. Run with <c>MFA_RULE_WRITE_DOCS=1</c> to rewrite the tables (the test
/// still fails that run, so a rewrite is always looked at).
/// </summary>
public sealed partial class OperationsPageTests
{
    private const string Page = "docs/operations.md";

    /// <summary>The variants the page shows: one account with re-evaluation and EnforceMfa remediation, and the Organization with the same.</summary>
    public static TheoryData<string, string> Sections => new()
    {
        { "dashboard single-eu-west-1", "single-eu-west-1" },
        { "alarms single-eu-west-1", "single-eu-west-1" },
        { "dashboard organization-remediation", "organization-remediation" },
        { "alarms organization-remediation", "organization-remediation" },
        { "dashboard head counts organization-delegated", "organization-delegated" },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void OperationsPage_GeneratedTable_IsWhatTheTemplateDeploys(string section, string variant)
    {
        var template = OperationsTemplate.Synthesize(variant);
        var table = section.StartsWith("dashboard head counts", StringComparison.Ordinal) ? DashboardTable(template, headCountsOnly: true)
            : section.StartsWith("dashboard", StringComparison.Ordinal) ? DashboardTable(template) : AlarmTable(template);
        var path = Path.Combine(SynthesizedApp.RepositoryRoot(), Page);
        var page = File.ReadAllText(path);
        var begin = $"<!-- generated: {section} (OperationsPageTests) -->\n";
        const string end = "<!-- end generated -->";
        var start = page.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(start >= 0, $"{Page} has no '{begin.Trim()}' marker");
        var stop = page.IndexOf(end, start, StringComparison.Ordinal);
        Assert.True(stop > start, $"{Page}: '{begin.Trim()}' has no '{end}' after it");
        var current = page[(start + begin.Length)..stop];

        if (Environment.GetEnvironmentVariable("MFA_RULE_WRITE_DOCS") == "1" && current != table)
        {
            File.WriteAllText(path, page[..(start + begin.Length)] + table + page[stop..]);
            Assert.Fail($"{Page}: section '{section}' rewritten; run again without MFA_RULE_WRITE_DOCS");
        }
        Assert.True(current == table, $"{Page}, section '{section}', differs from the template; it should read:\n{table}");
    }

    /// <param name="headCountsOnly">Only the widgets of the head counts (what <c>mfaRule:accountMetrics</c> changes).</param>
    private static string DashboardTable(OperationsTemplate template, bool headCountsOnly = false)
    {
        var text = new StringBuilder("| widget | line | metric | dimensions | statistic |\n|---|---|---|---|---|\n");
        var metrics = template.DashboardMetrics().ToList();
        var queries = template.DashboardLogQueries().ToList();
        foreach (var widget in template.DashboardWidgets())
        {
            foreach (var (_, groups, query) in queries.Where(q => q.Widget == widget && !headCountsOnly))
            {
                var statement = query[(query.LastIndexOf("' | ", StringComparison.Ordinal) + 4)..].Replace("\n", " ", StringComparison.Ordinal);
                text.Append(CultureInfo.InvariantCulture, $"| {widget} | one row per account | Logs Insights: `{statement.Replace("|", "\\|", StringComparison.Ordinal)}` | ")
                    .Append(string.Join(", ", groups.Select(g => Describe(template, g)))).Append(" | query |\n");
            }
            var headCounts = RuleMetrics.HeadCounts(template.AccountMetrics).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var (_, metric) in metrics.Where(m => m.Widget == widget && (!headCountsOnly || (m.Metric.Namespace == RuleMetrics.Namespace && headCounts.Contains(m.Metric.Name)))))
            {
                text.Append(CultureInfo.InvariantCulture, $"| {widget} | {metric.Label ?? metric.Name} | `{metric.Namespace}` `{metric.Name}` | ")
                    .Append(Dimensions(template, metric)).Append(CultureInfo.InvariantCulture, $" | {metric.Statistic} |\n");
            }
        }
        return text.ToString();
    }

    private static string AlarmTable(OperationsTemplate template)
    {
        var text = new StringBuilder("| alarm (`<stack>-…`) | metric | dimensions | fires when | what to do |\n|---|---|---|---|---|\n");
        foreach (var ((_, alarm), metric) in template.Alarms.Zip(template.AlarmMetrics))
        {
            var name = Cfn.Render(alarm.GetProperty("AlarmName"));
            var action = name[(name.IndexOf('-', StringComparison.Ordinal) + 1)..];
            var period = alarm.GetProperty("Period").GetInt32();
            var periods = alarm.GetProperty("EvaluationPeriods").GetInt32();
            var comparison = alarm.GetProperty("ComparisonOperator").GetString() switch
            {
                "GreaterThanThreshold" => ">",
                "GreaterThanOrEqualToThreshold" => "≥",
                "LessThanThreshold" => "<",
                var other => other,
            };
            var window = period % 3600 == 0 ? $"{period / 3600} h" : $"{period / 60} min";
            var when = $"{metric.Statistic} {comparison} {alarm.GetProperty("Threshold").GetDouble().ToString(CultureInfo.InvariantCulture)} per {window}" +
                (periods > 1 ? $", {periods} periods in a row" : string.Empty);
            text.Append(CultureInfo.InvariantCulture, $"| {action} | `{metric.Namespace}` `{metric.Name}` | {Dimensions(template, metric)} | {when} | ")
                .Append(alarm.GetProperty("AlarmDescription").GetString()!.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
        }
        return text.ToString();
    }

    /// <summary>Dimension keys, each with what its value names (a function's handler, a queue, every account).</summary>
    private static string Dimensions(OperationsTemplate template, MetricReference metric)
    {
        if (metric.Dimensions.Count == 0) return "none (all accounts)";
        return string.Join(", ", metric.Dimensions.Select(d => $"{d.Key} ({Describe(template, d.Value)})"));
    }

    private static string Describe(OperationsTemplate template, string value)
    {
        var reference = Reference().Match(value);
        if (!reference.Success) return value;
        var resource = template.Json.GetProperty("Resources").GetProperty(reference.Groups["id"].Value);
        var type = resource.GetProperty("Type").GetString();
        if (type == "AWS::Lambda::Function") return $"the {resource.GetProperty("Properties").GetProperty("Handler").GetString()} function";
        if (type == "AWS::Logs::LogGroup")
        {
            var owner = Cfn.Resources(template.Json, "AWS::Lambda::Function").SingleOrDefault(f => f.Resource.GetProperty("Properties").TryGetProperty("LoggingConfig", out var logging)
                && Cfn.Render(logging.GetProperty("LogGroup")) == "${" + reference.Groups["id"].Value + "}");
            return owner.LogicalId is null
                ? $"`{resource.GetProperty("Properties").GetProperty("LogGroupName").GetString()}`"
                : $"the {owner.Resource.GetProperty("Properties").GetProperty("Handler").GetString()} function's log group";
        }
        var id = reference.Groups["id"].Value;
        if (type == "AWS::Events::EventBus") return $"the central bus `{resource.GetProperty("Properties").GetProperty("Name").GetString()}`";
        return type == "AWS::SQS::Queue"
            ? (id.Contains("FailedEvents", StringComparison.Ordinal) ? "the evaluate function's failed invocations" : id.Contains("DeadLetters", StringComparison.Ordinal) ? "the re-evaluation dead letters" : "a queue")
            : type!;
    }

    [GeneratedRegex(@"^\$\{(?<id>[A-Za-z0-9]+)(\.[A-Za-z]+)?\}$")]
    private static partial Regex Reference();
}
