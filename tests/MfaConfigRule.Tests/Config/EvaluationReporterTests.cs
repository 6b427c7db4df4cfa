using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Config;

public sealed class EvaluationReporterTests
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeConfigClient _config;

    public EvaluationReporterTests() => _config = new FakeConfigClient(_time);

    private EvaluationReporter Reporter(int retries = 4, TimeSpan? delay = null) =>
        new(_config, _time, new ReporterOptions { FailedEvaluationRetries = retries, FailedEvaluationDelay = delay ?? TimeSpan.Zero });

    private static List<Evaluation> Evaluations(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Evaluation.ForUser($"AIDA{i:0000}", ComplianceType.Compliant, "ok", Now))];

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(100, 1, 100)]
    [InlineData(101, 2, 1)]
    [InlineData(250, 3, 50)]
    [InlineData(5000, 50, 100)]
    public async Task ReportAsync_ManyEvaluations_SendsBatchesOfAtMost100InOrder(int count, int calls, int lastBatch)
    {
        var evaluations = Evaluations(count);

        var outcome = await Reporter().ReportAsync(evaluations, ResultToken, false, CancellationToken.None);

        var sizes = _config.Puts.Select(p => p.Evaluations.Count).ToList();
        Assert.Equal(calls, sizes.Count);
        Assert.All(sizes[..^1], size => Assert.Equal(100, size));
        Assert.Equal(lastBatch, sizes[^1]);
        Assert.Equal(evaluations, _config.Accepted);
        Assert.Equal(count, outcome.Sent);
        Assert.Equal(calls, outcome.Calls);
        Assert.Empty(outcome.Unreported);
    }

    [Fact]
    public async Task ReportAsync_NoEvaluations_StillSendsOneEmptyCall()
    {
        var outcome = await Reporter().ReportAsync([], ResultToken, false, CancellationToken.None);

        var put = Assert.Single(_config.Puts);
        Assert.Empty(put.Evaluations);
        Assert.Equal(ResultToken, put.ResultToken);
        Assert.Equal(0, outcome.Sent);
        Assert.Equal(1, outcome.Calls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReportAsync_ResultTokenAndTestMode_GoWithEveryCall(bool testMode)
    {
        await Reporter().ReportAsync(Evaluations(150), "TESTMODE", testMode, CancellationToken.None);

        Assert.All(_config.Puts, put =>
        {
            Assert.Equal("TESTMODE", put.ResultToken);
            Assert.Equal(testMode, put.TestMode);
        });
    }

    [Fact]
    public async Task ReportAsync_FailedEvaluations_AreResentUntilAccepted()
    {
        var evaluations = Evaluations(150);
        _config.Refuse("AIDA0007", times: 2);
        _config.Refuse("AIDA0120", times: 1);

        var outcome = await Reporter().ReportAsync(evaluations, ResultToken, false, CancellationToken.None);

        Assert.Empty(outcome.Unreported);
        Assert.Equal(150, outcome.Sent);
        Assert.Equal(4, outcome.Calls);
        Assert.Equal(["AIDA0007", "AIDA0120"], _config.Puts[2].Evaluations.Select(e => e.ResourceId));
        Assert.Equal(["AIDA0007"], _config.Puts[3].Evaluations.Select(e => e.ResourceId));
        Assert.Equal(evaluations.Select(e => e.ResourceId).Order(StringComparer.Ordinal), _config.Accepted.Select(e => e.ResourceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReportAsync_AlwaysRefused_GivesUpAfterTheRetriesAndSaysWhat()
    {
        _config.Refuse("AIDA0001");

        var outcome = await Reporter(retries: 3).ReportAsync(Evaluations(3), ResultToken, false, CancellationToken.None);

        Assert.Equal(["AIDA0001"], outcome.Unreported.Select(e => e.ResourceId));
        Assert.Equal(2, outcome.Sent);
        Assert.Equal(4, outcome.Calls);
        Assert.Equal(4, _config.Puts.Count);
    }

    [Fact]
    public async Task ReportAsync_NoRetries_ReportsRefusalsAtOnce()
    {
        _config.Refuse("AIDA0001");

        var outcome = await Reporter(retries: 0).ReportAsync(Evaluations(3), ResultToken, false, CancellationToken.None);

        Assert.Single(outcome.Unreported);
        Assert.Single(_config.Puts);
    }

    [Fact]
    public async Task ReportAsync_Refusals_WaitLongerBeforeEachResend()
    {
        _config.Refuse("AIDA0001", times: 3);

        var outcome = await _time.Advancing(
            Reporter(delay: TimeSpan.FromSeconds(1)).ReportAsync(Evaluations(2), ResultToken, false, CancellationToken.None),
            TimeSpan.FromMilliseconds(100));

        Assert.Empty(outcome.Unreported);
        var at = _config.Puts.Select(p => p.At).ToList();
        Assert.Equal(4, at.Count);
        Assert.True(at[1] - at[0] >= TimeSpan.FromSeconds(1), $"first wait {at[1] - at[0]}");
        Assert.True(at[2] - at[1] >= TimeSpan.FromSeconds(2), $"second wait {at[2] - at[1]}");
        Assert.True(at[3] - at[2] >= TimeSpan.FromSeconds(4), $"third wait {at[3] - at[2]}");
    }

    [Fact]
    public async Task ReportAsync_ServiceError_Propagates()
    {
        var reporter = new EvaluationReporter(new ThrowingConfig(), _time, new ReporterOptions());

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => reporter.ReportAsync(Evaluations(1), ResultToken, false, CancellationToken.None));

        Assert.Equal("InvalidResultTokenException", error.ErrorCode);
    }

    [Fact]
    public async Task VanishedUsers_HeldResultsForUsersNoLongerListed_BecomeNotApplicable()
    {
        _config.Held.AddRange(
        [
            new("AWS::IAM::User", "AIDAKEPT", ComplianceType.Compliant, Now.AddDays(-1)),
            new("AWS::IAM::User", "AIDAGONE1", ComplianceType.NonCompliant, Now.AddDays(-1)),
            new("AWS::IAM::User", "AIDAGONE1", ComplianceType.NonCompliant, Now.AddDays(-2)),
            new("AWS::IAM::User", "AIDAGONE2", ComplianceType.Compliant, null),
            new("AWS::IAM::User", "AIDAGONE3", ComplianceType.NotApplicable, Now.AddDays(-1)),
            new("AWS::S3::Bucket", "my-bucket", ComplianceType.NonCompliant, Now.AddDays(-1)),
        ]);

        var plan = await Reporter().PlanSweepAsync(RuleName, [], new HashSet<string> { "AIDAKEPT" }, RuleParameters.Default, Now, CancellationToken.None);
        var vanished = plan.Writes;

        Assert.Equal(["AIDAGONE1", "AIDAGONE2"], vanished.Select(e => e.ResourceId));
        Assert.Equal(2, plan.Vanished);
        Assert.All(vanished, e =>
        {
            Assert.Equal(ComplianceType.NotApplicable, e.Compliance);
            Assert.Equal("AWS::IAM::User", e.ResourceType);
            Assert.Equal(UserGone.HeldResultAnnotation, e.Annotation);
            Assert.Equal(Now, e.OrderingTimestamp);
        });
        Assert.Equal([ComplianceType.Compliant, ComplianceType.NonCompliant], Assert.Single(_config.ComplianceQueries));
    }

    [Fact]
    public async Task VanishedUsers_EveryHeldUserStillListed_IsEmpty()
    {
        _config.Held.Add(new("AWS::IAM::User", "AIDAKEPT", ComplianceType.NonCompliant, Now));

        var plan = await Reporter().PlanSweepAsync(RuleName, [], new HashSet<string> { "AIDAKEPT" }, RuleParameters.Default, Now, CancellationToken.None);

        Assert.Empty(plan.Writes);
        Assert.Equal(ResultReason.NoVerdict, Assert.Single(plan.Decisions).Reason);
    }

    [Fact]
    public async Task PlanSweep_ReportChangesOnly_ReadsNotApplicableResultsTooAndSkipsWhatConfigHolds()
    {
        var parameters = RuleParameters.Default with { ReportChangesOnly = true };
        var held = Evaluation.ForUser("AIDANOPASSWORD", ComplianceType.NotApplicable, "No console password.", Now.AddDays(-1));
        _config.Held.Add(new(held.ResourceType, held.ResourceId, held.Compliance, held.OrderingTimestamp) { Annotation = held.Annotation, ResultRecordedTime = Now.AddHours(-1) });
        var verdict = Evaluation.ForUser("AIDANOPASSWORD", ComplianceType.NotApplicable, "No console password.", Now);

        var plan = await Reporter().PlanSweepAsync(RuleName, [verdict], new HashSet<string> { "AIDANOPASSWORD" }, parameters, Now, CancellationToken.None);

        Assert.Equal([ComplianceType.Compliant, ComplianceType.NonCompliant, ComplianceType.NotApplicable], Assert.Single(_config.ComplianceQueries));
        Assert.Empty(plan.Writes);
        Assert.Equal(1, plan.Unchanged);
    }

    [Fact]
    public async Task PlanSweep_ReportChangesOnlyButConfigCannotBeRead_WritesEveryVerdictAndWarns()
    {
        _config.ComplianceDetailsError = "ThrottlingException";
        var verdicts = Evaluations(3);

        var plan = await Reporter().PlanSweepAsync(RuleName, verdicts, verdicts.Select(v => v.ResourceId).ToHashSet(), RuleParameters.Default with { ReportChangesOnly = true }, Now, CancellationToken.None);

        Assert.Equal(verdicts, plan.Writes);
        Assert.All(plan.Decisions, d => Assert.Equal(ResultReason.EveryVerdict, d.Reason));
        Assert.Contains("every verdict was written", plan.Warning, StringComparison.Ordinal);
        Assert.Contains("ThrottlingException", plan.Warning, StringComparison.Ordinal);
    }

    private sealed class ThrowingConfig : IConfigClient
    {
        public Task<IReadOnlyList<Evaluation>> PutEvaluationsAsync(IReadOnlyList<Evaluation> evaluations, string resultToken, bool testMode, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyList<Evaluation>>(new AwsServiceException("config", "PutEvaluations", "InvalidResultTokenException", 400, "The resultToken is invalid."));

        public Task<IReadOnlyList<EvaluationResultSummary>> GetComplianceDetailsByConfigRuleAsync(string configRuleName, IReadOnlyList<ComplianceType> complianceTypes, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ConfigurationItem?> GetLatestConfigurationItemAsync(string resourceType, string resourceId, DateTimeOffset? laterTime, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task StartConfigRulesEvaluationAsync(IReadOnlyList<string> configRuleNames, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<DateTimeOffset?> GetLastEvaluationTimeAsync(string configRuleName, string resourceType, string resourceId, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
