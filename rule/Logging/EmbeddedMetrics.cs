using System.Text.Json;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Logging;

/// <summary>
/// The CloudWatch Embedded Metric Format metadata of one log line: the <c>_aws</c> member (Timestamp in milliseconds,
/// and one MetricDirective per group of metrics sharing their dimension sets), plus each metric's value and each
/// dimension's value as top-level members, as the specification requires. Lambda sends the line to CloudWatch Logs,
/// which extracts the metrics: no PutMetricData and no permission beyond writing the log.
/// </summary>
/// <remarks>
/// Specification: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
/// (at most 100 metrics per directive, 30 keys per dimension set; every referenced member top-level, metrics numbers,
/// dimensions strings). A metric filed per account is left out when the account is unknown, rather than filed under a
/// missing member (which would make CloudWatch drop the whole line's metrics).
/// </remarks>
internal sealed class EmbeddedMetrics
{
    private readonly long _timestampMs;
    private readonly List<(RuleMetric Metric, double Value)> _values = [];
    private string? _accountId;

    public EmbeddedMetrics(DateTimeOffset timestamp) => _timestampMs = timestamp.ToUnixTimeMilliseconds();

    public static EmbeddedMetrics At(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new EmbeddedMetrics(time.GetUtcNow());
    }

    /// <summary>The account the per-account metrics are filed under; null or empty leaves them out.</summary>
    public EmbeddedMetrics ForAccount(string? accountId)
    {
        _accountId = string.IsNullOrEmpty(accountId) ? null : accountId;
        return this;
    }

    public EmbeddedMetrics Put(RuleMetric metric, double value)
    {
        ArgumentNullException.ThrowIfNull(metric);
        _values.RemoveAll(v => v.Metric.Name == metric.Name);
        _values.Add((metric, value));
        return this;
    }

    /// <summary>Adds the metrics to a log line: the dimension and metric members, then <c>_aws</c>.</summary>
    public LogFields AddTo(LogFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var emitted = Emitted();
        if (emitted.Count == 0) return fields;
        if (emitted.Any(e => e.Sets.Any(set => set.Count > 0))) fields[RuleMetrics.AccountDimension] = _accountId;
        foreach (var (metric, value, _) in emitted) fields[metric.Name] = value;
        fields["_aws"] = LogValue.Embedded(this);
        return fields;
    }

    internal void WriteDirective(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("Timestamp", _timestampMs);
        json.WriteStartArray("CloudWatchMetrics");
        // One directive per distinct list of dimension sets, in the order the metrics were put.
        foreach (var group in Emitted().GroupBy(e => Key(e.Sets), StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("Namespace", RuleMetrics.Namespace);
            json.WriteStartArray("Dimensions");
            foreach (var set in group.First().Sets)
            {
                json.WriteStartArray();
                foreach (var key in set) json.WriteStringValue(key);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var (metric, _, _) in group)
            {
                json.WriteStartObject();
                json.WriteString("Name", metric.Name);
                json.WriteString("Unit", metric.Unit);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    // A per-account set is dropped without an account; a metric left with no set is not emitted.
    private List<(RuleMetric Metric, double Value, IReadOnlyList<IReadOnlyList<string>> Sets)> Emitted() =>
        _values.Select(v => (v.Metric, v.Value, Sets: (IReadOnlyList<IReadOnlyList<string>>)v.Metric.DimensionSets
                .Where(set => _accountId is not null || !set.Contains(RuleMetrics.AccountDimension, StringComparer.Ordinal)).ToList()))
            .Where(v => v.Sets.Count > 0 && double.IsFinite(v.Value))
            .ToList();

    private static string Key(IReadOnlyList<IReadOnlyList<string>> sets) => string.Join('|', sets.Select(set => string.Join(',', set)));
}
