using System.Text.Json;
using System.Text.Json.Nodes;

namespace MfaConfigRule.TestSupport;

/// <summary>One metric a valid EMF log line makes CloudWatch extract: namespace, name, unit, dimensions with their values, value.</summary>
public sealed record ExtractedMetric(string Namespace, string Name, string Unit, IReadOnlyDictionary<string, string> Dimensions, double Value);

/// <summary>
/// The CloudWatch Embedded Metric Format specification, as a checker of one log line:
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
/// (research note 19 §3.1). Written from the specification, not from the rule's code, so the rule's lines are held to
/// what CloudWatch accepts.
/// </summary>
public static class EmbeddedMetricFormat
{
    /// <summary>The specification's Unit values (its JSON Schema's pattern, the same list as MetricDatum's).</summary>
    public static IReadOnlySet<string> Units { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
        "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
        "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
        "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    };

    public const int MaxMetricsPerDirective = 100;
    public const int MaxDimensionKeys = 30;

    /// <summary>Everything that makes the line not a valid EMF document; empty when it is one.</summary>
    public static IReadOnlyList<string> Problems(string line)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            return [$"not JSON: {e.Message}"];
        }
        return node is JsonObject root ? Problems(root) : ["the log event is not a JSON object"];
    }

    public static IReadOnlyList<string> Problems(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var problems = new List<string>();
        if (root["_aws"] is not JsonObject aws) return ["no _aws object"];
        if (aws["Timestamp"] is not JsonValue timestamp || timestamp.GetValueKind() != JsonValueKind.Number || !timestamp.TryGetValue<long>(out var ms) || ms < 0)
            problems.Add("_aws.Timestamp is not a non-negative whole number of milliseconds");
        if (aws["CloudWatchMetrics"] is not JsonArray directives)
        {
            problems.Add("_aws.CloudWatchMetrics is not an array");
            return problems;
        }
        for (var d = 0; d < directives.Count; d++)
        {
            var where = $"CloudWatchMetrics[{d}]";
            if (directives[d] is not JsonObject directive)
            {
                problems.Add($"{where} is not an object");
                continue;
            }
            if (String(directive["Namespace"]) is not { Length: >= 1 and <= 1024 }) problems.Add($"{where}.Namespace is not a string of 1-1024 characters");
            if (directive["Dimensions"] is not JsonArray sets || sets.Count == 0)
            {
                problems.Add($"{where}.Dimensions is not a non-empty array of dimension sets");
            }
            else
            {
                foreach (var set in sets)
                {
                    if (set is not JsonArray keys)
                    {
                        problems.Add($"{where}.Dimensions holds a set that is not an array");
                        continue;
                    }
                    if (keys.Count > MaxDimensionKeys) problems.Add($"{where}: a dimension set has {keys.Count} keys, more than {MaxDimensionKeys}");
                    foreach (var key in keys)
                    {
                        if (String(key) is not { Length: >= 1 and <= 250 } name)
                        {
                            problems.Add($"{where}: a dimension key is not a string of 1-250 characters");
                            continue;
                        }
                        if (String(root[name]) is not { Length: >= 1 and <= 1024 })
                            problems.Add($"{where}: dimension '{name}' is not a top-level string member of 1-1024 characters");
                    }
                }
            }
            if (directive["Metrics"] is not JsonArray metrics)
            {
                problems.Add($"{where}.Metrics is not an array");
                continue;
            }
            if (metrics.Count > MaxMetricsPerDirective) problems.Add($"{where}: {metrics.Count} metrics, more than {MaxMetricsPerDirective}");
            foreach (var metric in metrics)
            {
                if (metric is not JsonObject definition || String(definition["Name"]) is not { Length: >= 1 and <= 1024 } name)
                {
                    problems.Add($"{where}: a metric definition without a Name of 1-1024 characters");
                    continue;
                }
                if (definition["Unit"] is { } unit && (String(unit) is not { } text || !Units.Contains(text)))
                    problems.Add($"{where}: metric '{name}' has Unit {unit.ToJsonString()}, not one of the specification's units");
                if (definition["StorageResolution"] is { } resolution && resolution.ToJsonString() is not ("1" or "60"))
                    problems.Add($"{where}: metric '{name}' has StorageResolution {resolution.ToJsonString()}, not 1 or 60");
                if (!IsNumberOrNumbers(root[name])) problems.Add($"{where}: metric '{name}' is not a top-level number or array of at most 100 numbers");
            }
        }
        return problems;
    }

    /// <summary>The metrics CloudWatch extracts from a valid line: one per metric and dimension set.</summary>
    public static IReadOnlyList<ExtractedMetric> Extract(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var problems = Problems(root);
        if (problems.Count > 0) throw new InvalidOperationException("not valid EMF: " + string.Join("; ", problems));
        var found = new List<ExtractedMetric>();
        foreach (var directive in root["_aws"]!["CloudWatchMetrics"]!.AsArray().Select(d => d!.AsObject()))
        {
            var ns = directive["Namespace"]!.GetValue<string>();
            foreach (var set in directive["Dimensions"]!.AsArray().Select(s => s!.AsArray()))
            {
                var dimensions = set.Select(k => k!.GetValue<string>()).ToDictionary(k => k, k => root[k]!.GetValue<string>(), StringComparer.Ordinal);
                foreach (var metric in directive["Metrics"]!.AsArray().Select(m => m!.AsObject()))
                {
                    var name = metric["Name"]!.GetValue<string>();
                    var unit = String(metric["Unit"]) ?? "None";
                    var values = root[name] is JsonArray array ? array.Select(v => v!.GetValue<double>()) : [root[name]!.GetValue<double>()];
                    found.AddRange(values.Select(v => new ExtractedMetric(ns, name, unit, dimensions, v)));
                }
            }
        }
        return found;
    }

    private static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static bool IsNumberOrNumbers(JsonNode? node) => node switch
    {
        JsonValue value => value.GetValueKind() == JsonValueKind.Number,
        JsonArray array => array.Count <= 100 && array.All(item => item is JsonValue v && v.GetValueKind() == JsonValueKind.Number),
        _ => false,
    };
}
