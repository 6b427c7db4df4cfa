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
    public void CompleteSweep_AccountMetricsOn_HeadCountsPerAccountOnlyAndNoUserWithoutVerdict()
    {
        var metrics = Extract(Summary(sweep: true, failures: 0), accountMetrics: true);

        Assert.Equal(1, PerAccount(metrics, RuleMetrics.CompliantUsers));
        Assert.Equal(2, PerAccount(metrics, RuleMetrics.NonCompliantUsers));
        Assert.Equal(0, PerAccount(metrics, RuleMetrics.NotApplicableUsers));
        // Per account only: no second copy without the dimension (that would be 3 more billed metrics).
        Assert.DoesNotContain(metrics, m => m.Name == RuleMetrics.NonCompliantUsers.Name && m.Dimensions.Count == 0);
        Assert.Equal(0, Overall(metrics, RuleMetrics.UsersWithoutVerdict));
        Assert.Contains(metrics, m => m.Name == RuleMetrics.SweepDuration.Name);
    }

    [Fact]
    public void CompleteSweep_AccountMetricsOff_HeadCountsWithNoDimensionAndNoAccountMember()
    {
        var (metrics, line) = ExtractLine(Summary(sweep: true, failures: 0), accountMetrics: false);

        Assert.Equal(1, Overall(metrics, RuleMetrics.CompliantUsers));
        Assert.Equal(2, Overall(metrics, RuleMetrics.NonCompliantUsers));
        Assert.Equal(0, Overall(metrics, RuleMetrics.NotApplicableUsers));
        // No metric is filed under the account: a 1,000-account Organization pays for 3 head counts, not 3,000.
        Assert.All(metrics, m => Assert.Empty(m.Dimensions));
        Assert.DoesNotContain(line["_aws"]!.ToJsonString(), RuleMetrics.AccountDimension, StringComparison.Ordinal);
        Assert.Null(line[RuleMetrics.AccountDimension]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SweepWithUsersWithoutVerdict_NoHeadCountsButTheUsersWithoutVerdict(bool accountMetrics)
    {
        var metrics = Extract(Summary(sweep: true, failures: 2), accountMetrics);

        Assert.DoesNotContain(metrics, m => m.Name is "CompliantUsers" or "NonCompliantUsers" or "NotApplicableUsers");
        Assert.Equal(2, Overall(metrics, RuleMetrics.UsersWithoutVerdict));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ChangeNotification_NoHeadCountsAndNoSweepDuration(bool accountMetrics)
    {
        var metrics = Extract(Summary(sweep: false, failures: 0), accountMetrics);

        Assert.Equal([RuleMetrics.ApiCalls.Name, RuleMetrics.UsersWithoutVerdict.Name], metrics.Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    private static double PerAccount(IReadOnlyList<ExtractedMetric> metrics, RuleMetric metric) =>
        Assert.Single(metrics, m => m.Name == metric.Name && m.Dimensions.GetValueOrDefault(RuleMetrics.AccountDimension) == Builders.AccountId).Value;

    private static double Overall(IReadOnlyList<ExtractedMetric> metrics, RuleMetric metric) =>
        Assert.Single(metrics, m => m.Name == metric.Name && m.Dimensions.Count == 0).Value;

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("true", true)]
    [InlineData(" True ", true)]
    public void AccountMetricsVariable_TrueOrFalse_UnsetIsOff(string? value, bool expected)
    {
        Assert.Equal(expected, RuleMetrics.ParseAccountMetrics(value));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    public void AccountMetricsVariable_Other_IsAnErrorNamingTheVariable(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => RuleMetrics.ParseAccountMetrics(value));

        Assert.Contains(RuleMetrics.AccountMetricsVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    private IReadOnlyList<ExtractedMetric> Extract(InvocationSummary summary, bool accountMetrics) => ExtractLine(summary, accountMetrics).Metrics;

    private (IReadOnlyList<ExtractedMetric> Metrics, JsonObject Line) ExtractLine(InvocationSummary summary, bool accountMetrics)
    {
        var output = new StringWriter();
        var fields = EvaluateFunction.Metrics(summary, apiCalls: 0, durationMs: 0, _time, accountMetrics).AddTo(new LogFields());
        new JsonLog(output, _time).Info("evaluation finished", fields);
        var line = Assert.IsType<JsonObject>(JsonNode.Parse(output.ToString()));
        Assert.Empty(EmbeddedMetricFormat.Problems(line));
        return (EmbeddedMetricFormat.Extract(line), line);
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
