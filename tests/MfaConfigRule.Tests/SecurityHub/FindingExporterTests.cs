using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.SecurityHub;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.SecurityHub;

public sealed class FindingExporterTests
{
    private static readonly FindingScope Scope = new(AccountId, "eu-west-1", RuleName);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeSecurityHubClient _hub;

    public FindingExporterTests() => _hub = new FakeSecurityHubClient(_time);

    private FindingExporter Exporter(ExportOptions? options = null) =>
        new(_time, options ?? new ExportOptions { FailedFindingDelay = TimeSpan.Zero });

    private static List<FindingSubject> Subjects(int count, ComplianceType compliance = ComplianceType.NonCompliant, string annotation = "Console password with no MFA device.") =>
        Enumerable.Range(0, count)
            .Select(i => User($"user-{i:D4}"))
            .Select(u => new FindingSubject(Evaluation.ForUser(u.UserId, compliance, annotation, Now), u))
            .ToList();

    private static string Id(int i) => FindingBuilder.FindingId(AccountId, UserIdFor($"user-{i:D4}"));

    [Fact]
    public async Task Export_250Verdicts_ThreeCallsOfAtMostOneHundredEveryFindingOnce()
    {
        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(250), CancellationToken.None);

        Assert.Equal([100, 100, 50], _hub.Calls.Select(c => c.Ids.Count));
        Assert.Equal(250, _hub.Stored.Count);
        Assert.Equal(new ExportOutcome(250, 250, 3, [], null), outcome with { Failed = [] });
        Assert.Empty(outcome.Failed);
        Assert.Null(outcome.Warning);
    }

    [Fact]
    public void Pack_BodiesNearTheSizeLimit_SplitBeforeSixMegabytes()
    {
        var findings = Enumerable.Range(0, 60).Select(i => ($"f{i}", new byte[200_000])).ToList();

        var batches = FindingBatches.Pack(findings).ToList();

        Assert.All(batches, b => Assert.True(b.Body.Length <= ExportOptions.MaxBatchBytes, $"{b.Body.Length} bytes"));
        Assert.Equal(60, batches.Sum(b => b.Findings.Count));
        // 29 findings of 200 KB fit under 6 MB with the envelope and commas; the 30th would not.
        Assert.Equal([29, 29, 2], batches.Select(b => b.Findings.Count));
        Assert.Equal(findings.Select(f => f.Item1), batches.SelectMany(b => b.Findings).Select(f => f.Id));
    }

    [Fact]
    public async Task Export_FailedFindingsThatMayPass_AreSentAgainUntilTheyArrive()
    {
        _hub.Refuse(Id(3), 2, "InternalException");
        _hub.Refuse(Id(7), 1, "ThrottlingException");

        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(10), CancellationToken.None);

        Assert.Equal(10, outcome.Imported);
        Assert.Empty(outcome.Failed);
        Assert.Null(outcome.Warning);
        Assert.Equal(3, _hub.Calls.Count);
        Assert.Equal([Id(3), Id(7)], _hub.Calls[1].Ids);
        Assert.Equal([Id(3)], _hub.Calls[2].Ids);
    }

    [Fact]
    public async Task Export_InvalidFinding_IsNotResentAndIsReportedByIdAndCode()
    {
        _hub.Refuse(Id(2), 10, "InvalidInput");

        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(5), CancellationToken.None);

        Assert.Single(_hub.Calls);
        Assert.Equal(4, outcome.Imported);
        var failed = Assert.Single(outcome.Failed);
        Assert.Equal((Id(2), "InvalidInput"), (failed.Id, failed.ErrorCode));
        Assert.Contains(Id(2), outcome.Warning, StringComparison.Ordinal);
        Assert.Contains("InvalidInput", outcome.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_RefusedEveryRound_StopsAfterTheRetriesAndReportsIt()
    {
        _hub.Refuse(Id(0), 100, "InternalException");

        var outcome = await Exporter(new ExportOptions { FailedFindingDelay = TimeSpan.Zero, FailedFindingRetries = 3 })
            .ExportAsync(_hub, Scope, Subjects(2), CancellationToken.None);

        Assert.Equal(4, _hub.Calls.Count);
        Assert.Equal(1, outcome.Imported);
        Assert.Equal(Id(0), Assert.Single(outcome.Failed).Id);
    }

    [Fact]
    public async Task Export_SecurityHubNotEnabled_IsAClearWarningAndNothingThrows()
    {
        _hub.Failure = new AwsServiceException("securityhub", "BatchImportFindings", "InvalidAccessException", 401,
            "Account 123456789012 is not subscribed to AWS Security Hub");

        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(250), CancellationToken.None);

        Assert.Single(_hub.Calls);
        Assert.Equal(0, outcome.Imported);
        Assert.Equal(250, outcome.Failed.Count);
        Assert.Contains("Security Hub is not enabled in account 123456789012, Region eu-west-1", outcome.Warning, StringComparison.Ordinal);
        Assert.Contains("Config verdicts are unaffected", outcome.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_EveryFindingRefusedWithInvalidAccess_WarnsOnceWithoutRetrying()
    {
        foreach (var i in Enumerable.Range(0, 3)) _hub.Refuse(Id(i), 10, "InvalidAccess");

        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(3), CancellationToken.None);

        Assert.Single(_hub.Calls);
        Assert.Contains("Security Hub is not enabled", outcome.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ThrottledBeyondRetries_StopsAndCountsTheUnsentAsFailed()
    {
        _hub.Failure = new AwsServiceException("securityhub", "BatchImportFindings", "TooManyRequestsException", 429, "Rate exceeded");

        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(150), CancellationToken.None);

        Assert.Single(_hub.Calls);
        Assert.Equal(150, outcome.Failed.Count);
        Assert.Contains("TooManyRequestsException", outcome.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_FailsForGoodAfterTheFirstBatch_TheFirstBatchCountsAsImported()
    {
        _hub.Failure = new AwsServiceException("securityhub", "BatchImportFindings", "InternalException", 500, "Internal server error");
        _hub.FailureAfterCalls = 1;

        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(250), CancellationToken.None);

        Assert.Equal(2, _hub.Calls.Count);
        Assert.Equal(100, outcome.Imported);
        Assert.Equal(150, outcome.Failed.Count);
        Assert.All(outcome.Failed, f => Assert.Equal("NotSent", f.ErrorCode));
        Assert.DoesNotContain(outcome.Failed, f => _hub.Stored.ContainsKey(f.Id));
    }

    [Fact]
    public async Task Export_FortyBatches_AtMostThirtyAtOnceThenTenASecond()
    {
        var export = Exporter().ExportAsync(_hub, Scope, Subjects(4000, ComplianceType.Compliant, "ok"), CancellationToken.None);

        var outcome = await _time.Advancing(export, TimeSpan.FromMilliseconds(10));

        Assert.Equal(4000, outcome.Imported);
        var starts = _hub.Calls.Select(c => c.At).ToList();
        Assert.Equal(40, starts.Count);
        Assert.Equal(30, starts.Count(t => t == Now));
        // Any window of one second after the burst holds at most ten calls, and the last ten come about a second after it.
        foreach (var call in starts.Skip(30))
            Assert.True(starts.Count(t => t > call - TimeSpan.FromSeconds(1) && t <= call && t > Now) <= 10);
        Assert.InRange(starts[^1] - Now, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1.2));
    }

    [Fact]
    public async Task Export_DeadlineComes_StopsWithAWarningInsteadOfThrowing()
    {
        using var deadline = new CancellationTokenSource();
        await deadline.CancelAsync();

        var outcome = await Exporter().ExportAsync(_hub, Scope, Subjects(5), deadline.Token);

        Assert.Equal(0, outcome.Imported);
        Assert.Contains("deadline", outcome.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_SameUserTwice_OneFinding()
    {
        var subjects = Subjects(1);
        subjects.Add(subjects[0]);

        var outcome = await Exporter().ExportAsync(_hub, Scope, subjects, CancellationToken.None);

        Assert.Equal(1, outcome.Findings);
        Assert.Equal([Id(0)], _hub.Calls.Single().Ids);
    }
}
