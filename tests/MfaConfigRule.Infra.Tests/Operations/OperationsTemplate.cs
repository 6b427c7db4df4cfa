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
    private OperationsTemplate(string variant, JsonElement template)
    {
        Variant = variant;
        Json = template;
    }

    public string Variant { get; }
    public JsonElement Json { get; }

    public static OperationsTemplate Synthesize(string variant)
    {
        var context = TemplateVariants.All.Single(v => v.Name == variant).Context.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var organization = OrganizationDeployment.FromContext(app.Node, settings);
        Stack stack = organization is null
            ? MfaRuleApp.AddStack(app, settings, SynthesizedApp.StandInCode)
            : MfaRuleApp.AddOrganizationStack(app, settings, organization, SynthesizedApp.StandInCode);
        return new OperationsTemplate(variant, SynthesizedApp.Json(stack));
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

    /// <summary>Every dashboard line: (widget title, metric); a SEARCH expression yields the metric it searches.</summary>
    public IEnumerable<(string Widget, MetricReference Metric)> DashboardMetrics()
    {
        foreach (var widget in DashboardBody.GetProperty("widgets").EnumerateArray())
        {
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

    [GeneratedRegex("""SEARCH\('\{(?<ns>[^,}]+)(,(?<dims>[^}]*))?\} MetricName="(?<name>[^"]+)"', '(?<stat>[A-Za-z0-9.]+)', \d+\)""")]
    private static partial Regex Search();
}
