using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.CDK;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Tests.Operations;

/// <summary>One metric an alarm or a dashboard line reads: namespace, name, dimension keys and what each value renders to.</summary>
internal sealed record MetricReference(string Where, string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, string Statistic, string? Label);

/// <summary>The deployment's main stack (single account, or the Organization's admin stack) of a check-templates variant, and its alarms and dashboard as read from the template.</summary>
internal sealed partial class OperationsTemplate
{
    private OperationsTemplate(string variant, JsonElement template, bool accountMetrics)
    {
        Variant = variant;
        Json = template;
        AccountMetrics = accountMetrics;
    }

    public string Variant { get; }
    public JsonElement Json { get; }

    /// <summary>The variant's <c>mfaRule:accountMetrics</c>: the head counts filed per account.</summary>
    public bool AccountMetrics { get; }

    public static OperationsTemplate Synthesize(string variant)
    {
        var context = TemplateVariants.All.Single(v => v.Name == variant).Context.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var organization = OrganizationDeployment.FromContext(app.Node, settings);
        Stack stack = organization is null
            ? MfaRuleApp.AddStack(app, settings, SynthesizedApp.StandInCode)
            : MfaRuleApp.AddOrganizationStack(app, settings, organization, SynthesizedApp.StandInCode);
        return new OperationsTemplate(variant, SynthesizedApp.Json(stack), settings.Operations.AccountMetrics);
    }

    public IEnumerable<(string LogicalId, JsonElement Properties)> Alarms =>
        Cfn.Resources(Json, "AWS::CloudWatch::Alarm").Select(r => (r.LogicalId, r.Resource.GetProperty("Properties")));

    public string ResourceType(string logicalId) =>
        Json.GetProperty("Resources").TryGetProperty(logicalId, out var resource) ? resource.GetProperty("Type").GetString()! : "(no such resource)";

    public IEnumerable<MetricReference> AlarmMetrics => Alarms.Select(a => new MetricReference(
        "alarm " + Cfn.Render(a.Properties.GetProperty("AlarmName")),
        a.Properties.GetProperty("Namespace").GetString()!,
        a.Properties.GetProperty("MetricName").GetString()!,
        a.Properties.TryGetProperty("Dimensions", out var dimensions)
            ? dimensions.EnumerateArray().ToDictionary(d => d.GetProperty("Name").GetString()!, d => Cfn.Render(d.GetProperty("Value")), StringComparer.Ordinal)
            : new Dictionary<string, string>(),
        a.Properties.GetProperty("Statistic").GetString()!,
        null));

    /// <summary>The dashboard body with every intrinsic rendered (<c>${LogicalId}</c>, <c>${X.Attr}</c>), parsed.</summary>
    public JsonElement DashboardBody
    {
        get
        {
            var dashboard = Cfn.Single(Json, "AWS::CloudWatch::Dashboard").GetProperty("Properties").GetProperty("DashboardBody");
            return JsonDocument.Parse(Cfn.Render(dashboard)).RootElement.Clone();
        }
    }

    /// <summary>Every Logs Insights widget: (title, log group names as rendered, the query).</summary>
    public IEnumerable<(string Widget, IReadOnlyList<string> LogGroups, string Query)> DashboardLogQueries() =>
        DashboardBody.GetProperty("widgets").EnumerateArray()
            .Where(w => w.GetProperty("type").GetString() == "log")
            .Select(w => w.GetProperty("properties"))
            .Select(p => (p.GetProperty("title").GetString()!, (IReadOnlyList<string>)LogGroups(p.GetProperty("query").GetString()!), p.GetProperty("query").GetString()!));

    /// <summary>The widget titles in the dashboard's order.</summary>
    public IEnumerable<string> DashboardWidgets() =>
        DashboardBody.GetProperty("widgets").EnumerateArray().Select(w => w.GetProperty("properties").GetProperty("title").GetString()!);

    /// <summary>A Logs Insights widget's query begins with <c>SOURCE 'group' | SOURCE 'other' |</c>, one per log group.</summary>
    private static List<string> LogGroups(string query) => [.. SourceClause().Matches(query).Select(m => m.Groups["group"].Value)];

    /// <summary>Every dashboard line: (widget title, metric); a SEARCH expression yields the metric it searches. Logs Insights widgets have none.</summary>
    public IEnumerable<(string Widget, MetricReference Metric)> DashboardMetrics()
    {
        foreach (var widget in DashboardBody.GetProperty("widgets").EnumerateArray())
        {
            if (widget.GetProperty("type").GetString() == "log") continue;
            var properties = widget.GetProperty("properties");
            var title = properties.GetProperty("title").GetString()!;
            foreach (var line in properties.GetProperty("metrics").EnumerateArray())
            {
                var items = line.EnumerateArray().ToList();
                var options = items[^1].ValueKind == JsonValueKind.Object ? items[^1] : default;
                if (items[0].ValueKind == JsonValueKind.Object)
                {
                    var expression = items[0].GetProperty("expression").GetString()!;
                    var search = Search().Match(expression);
                    if (!search.Success) throw new InvalidOperationException($"{title}: an expression that is not a SEARCH: {expression}");
                    var keys = search.Groups["dims"].Success ? search.Groups["dims"].Value.Split(',') : [];
                    yield return (title, new MetricReference($"dashboard widget '{title}'", search.Groups["ns"].Value, search.Groups["name"].Value,
                        keys.ToDictionary(k => k, _ => "every account", StringComparer.Ordinal), search.Groups["stat"].Value,
                        (expression.StartsWith("SUM(", StringComparison.Ordinal) ? "sum over accounts: " : "one line per account") +
                        (items[0].TryGetProperty("label", out var l) && l.GetString() is { Length: > 0 } text ? text : string.Empty)));
                    continue;
                }
                var strings = items.TakeWhile(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToList();
                var dimensions = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 2; i + 1 < strings.Count; i += 2) dimensions[strings[i]] = strings[i + 1];
                yield return (title, new MetricReference($"dashboard widget '{title}'", strings[0], strings[1], dimensions,
                    options.ValueKind == JsonValueKind.Object && options.TryGetProperty("stat", out var stat) ? stat.GetString()! : "Average",
                    options.ValueKind == JsonValueKind.Object && options.TryGetProperty("label", out var label) ? label.GetString() : null));
            }
        }
    }

    [GeneratedRegex(@"SOURCE '(?<group>[^']+)'")]
    private static partial Regex SourceClause();

    [GeneratedRegex("""SEARCH\('\{(?<ns>[^,}]+)(,(?<dims>[^}]*))?\} MetricName="(?<name>[^"]+)"', '(?<stat>[A-Za-z0-9.]+)', \d+\)""")]
    private static partial Regex Search();
}
