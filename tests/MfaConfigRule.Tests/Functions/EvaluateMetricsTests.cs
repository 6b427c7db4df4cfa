using System.Text.Json.Nodes;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Contract;
using MfaConfigRule.Functions;
using MfaConfigRule.Iam;
using MfaConfigRule.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Functions;

/// <summary>
/// Which runs give the head counts: only a complete sweep. A change notification's single user, or a sweep that left
/// users without a verdict, would draw a NON_COMPLIANT count lower than the truth (the dangerous direction).
/// </summary>
public sealed class EvaluateMetricsTests
{
    private readonly FakeTimeProvider _time = new(Builders.Now);

    [Fact]
    public void CompleteSweep_HeadCountsPerAccountAndNoUserWithoutVerdict()
    {
        var metrics = Extract(Summary(sweep: true, failures: 0));

        Assert.Equal(1, PerAccount(metrics, RuleMetrics.CompliantUsers));
        Assert.Equal(2, PerAccount(metrics, RuleMetrics.NonCompliantUsers));
        Assert.Equal(0, PerAccount(metrics, RuleMetrics.NotApplicableUsers));
        Assert.Equal(0, Overall(metrics, RuleMetrics.UsersWithoutVerdict));
        Assert.Contains(metrics, m => m.Name == RuleMetrics.SweepDuration.Name);
    }

    [Fact]
    public void SweepWithUsersWithoutVerdict_NoHeadCountsButTheUsersWithoutVerdict()
    {
        var metrics = Extract(Summary(sweep: true, failures: 2));

        Assert.DoesNotContain(metrics, m => m.Name is "CompliantUsers" or "NonCompliantUsers" or "NotApplicableUsers");
        Assert.Equal(2, Overall(metrics, RuleMetrics.UsersWithoutVerdict));
    }

    [Fact]
    public void ChangeNotification_NoHeadCountsAndNoSweepDuration()
    {
        var metrics = Extract(Summary(sweep: false, failures: 0));

        Assert.Equal([RuleMetrics.ApiCalls.Name, RuleMetrics.UsersWithoutVerdict.Name], metrics.Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    private static double PerAccount(IReadOnlyList<ExtractedMetric> metrics, RuleMetric metric) =>
        Assert.Single(metrics, m => m.Name == metric.Name && m.Dimensions.GetValueOrDefault(RuleMetrics.AccountDimension) == Builders.AccountId).Value;

    private static double Overall(IReadOnlyList<ExtractedMetric> metrics, RuleMetric metric) =>
        Assert.Single(metrics, m => m.Name == metric.Name && m.Dimensions.Count == 0).Value;

    private IReadOnlyList<ExtractedMetric> Extract(InvocationSummary summary)
    {
        var output = new StringWriter();
        var fields = EvaluateFunction.Metrics(summary, apiCalls: 0, durationMs: 0, _time).AddTo(new LogFields());
        new JsonLog(output, _time).Info("evaluation finished", fields);
        var line = Assert.IsType<JsonObject>(JsonNode.Parse(output.ToString()));
        Assert.Empty(EmbeddedMetricFormat.Problems(line));
        return EmbeddedMetricFormat.Extract(line);
    }

    private static InvocationSummary Summary(bool sweep, int failures)
    {
        var evaluations = new[] { ComplianceType.Compliant, ComplianceType.NonCompliant, ComplianceType.NonCompliant }
            .Select((c, i) => new Evaluation("AWS::IAM::User", "AIDA" + i, c, "a", Builders.Now)).ToList();
        var failed = Enumerable.Range(0, failures).Select(i => new AssessmentFailure(Builders.User("broken" + i), "throttled")).ToList();
        return new InvocationSummary("rule", Builders.AccountId, sweep ? "ScheduledNotification" : "ConfigurationItemChangeNotification", false,
            evaluations, [], failed, sweep ? new SweepStats(3 + failures, "credential-report", null, 0, 0, []) : null, 0, [], null);
    }
}
