using System.Collections.Concurrent;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Composition;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Benchmarks.Sweeps;

/// <summary>What one sweep decided: a verdict per user name (null: no verdict), and for our sweeps how many users it read live.</summary>
internal sealed record SweepOutcome(IReadOnlyDictionary<string, ComplianceType?> Verdicts, int? LiveReads);

/// <summary>A way of deciding every user's verdict, run over the rule's own AWS clients so that every request is counted.</summary>
internal abstract class SweepStrategy
{
    /// <summary>Users read at once, as the rule does; the peers' models use the same so wall times compare like for like.</summary>
    public const int Concurrency = 8;

    public abstract string Name { get; }

    /// <summary>Whether the strategy reads tags (exemptions by tag); a model that does not is judged against IAM's state without them.</summary>
    public virtual bool ReadsTags => false;

    /// <summary>One line for the tables: what the strategy calls.</summary>
    public abstract string Calls { get; }

    public abstract Task<SweepOutcome> RunAsync(AwsClients aws, TimeProvider clock, CancellationToken cancellationToken);

    public static SweepStrategy RuleDefault { get; } = new RuleSweep(useCredentialReport: true);

    public static SweepStrategy PerUserPeers { get; } = new PerUserPeerModel();

    /// <summary>The four strategies the benchmarks compare, ours first.</summary>
    public static IReadOnlyList<SweepStrategy> All { get; } =
        [RuleDefault, new RuleSweep(useCredentialReport: false), PerUserPeers, new ReportOnlyPeerModel()];
}

/// <summary>The rule's own sweep (<see cref="UserAssessor.SweepAsync"/>), default or all-live.</summary>
internal sealed class RuleSweep(bool useCredentialReport) : SweepStrategy
{
    public override string Name => useCredentialReport ? "rule default" : "rule --live-only";

    public override bool ReadsTags => true;

    public override string Calls => useCredentialReport
        ? "ListUsers + credential report + ListVirtualMFADevices + CloudTrail LookupEvents, live reads where needed"
        : "ListUsers + GetLoginProfile + ListMFADevices per user, ListUserTags per NON_COMPLIANT user";

    public override async Task<SweepOutcome> RunAsync(AwsClients aws, TimeProvider clock, CancellationToken cancellationToken)
    {
        var assessor = new UserAssessor(aws.Iam, aws.CloudTrail, clock, new AssessorOptions { UseCredentialReport = useCredentialReport, Concurrency = Concurrency });
        var sweep = await assessor.SweepAsync(RuleParameters.Default, cancellationToken);
        if (sweep.Stats.Warnings.Count > 0) throw new InvalidOperationException($"{Name}: {string.Join("; ", sweep.Stats.Warnings)}");
        var verdicts = new Dictionary<string, ComplianceType?>(StringComparer.OrdinalIgnoreCase);
        foreach (var assessment in sweep.Assessments) verdicts[assessment.User.UserName] = assessment.Compliance;
        foreach (var failure in sweep.Failures) verdicts[failure.User.UserName] = null;
        return new SweepOutcome(verdicts, sweep.Stats.LiveReads);
    }
}

/// <summary>
/// A model of the per-user peers (AWS's sample rules, ScoutSuite, Custodian's login-profile/mfa-device filters): ListUsers
/// in the SDKs' default pages of 100, then GetLoginProfile and ListMFADevices for every user. Live, at 2N + N/100 calls.
/// Verdicts use the rule's own evaluator, so only freshness and cost differ, not semantics. The two calls of a user go
/// out together, as in the rule's live read, so wall times differ only by the number of calls.
/// </summary>
internal sealed class PerUserPeerModel : SweepStrategy
{
    private const string DefaultPage = "100";

    public override string Name => "per-user peers (model)";

    public override string Calls => "ListUsers (pages of 100) + GetLoginProfile + ListMFADevices per user";

    public override async Task<SweepOutcome> RunAsync(AwsClients aws, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = new QueryProtocolClient(aws.Transport, AwsService.Iam, aws.Endpoints.Resolve(AwsService.Iam), IamClient.ApiVersion);
        var users = new List<IamUser>();
        string? marker = null;
        do
        {
            List<KeyValuePair<string, string>> parameters = [new("MaxItems", DefaultPage)];
            if (marker is not null) parameters.Add(new("Marker", marker));
            (var page, marker) = await query.InvokeAsync("ListUsers", parameters, result => (
                result.Members("Users").Select(u => new IamUser(u.RequiredText("UserId"), u.RequiredText("UserName"), u.RequiredText("Arn"),
                    u.ChildText("Path") ?? "/", u.ChildTime("CreateDate"))).ToList(),
                result.ChildBool("IsTruncated") ? result.RequiredText("Marker") : null), cancellationToken);
            users.AddRange(page);
        }
        while (marker is not null);

        var verdicts = new ConcurrentDictionary<string, ComplianceType?>(StringComparer.OrdinalIgnoreCase);
        var noTags = new Dictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (user, token) =>
        {
            var profileTask = aws.Iam.GetLoginProfileAsync(user.UserName, token);
            var devicesTask = aws.Iam.ListMfaDevicesAsync(user.UserName, token);
            var profile = await profileTask;
            var devices = await devicesTask;
            var password = profile is null ? PasswordEvidence.None(EvidenceSource.Live) : new PasswordEvidence(true, profile.CreateDate, EvidenceSource.Live);
            var state = new UserCredentialState(user, password, MfaEvidence.Live(devices), noTags);
            verdicts[user.UserName] = Evaluator.Evaluate(state, RuleParameters.Default, clock.GetUtcNow()).Compliance;
        });
        return new SweepOutcome(verdicts, null);
    }
}

/// <summary>
/// A model of the report-only peers (Prowler, Steampipe, Custodian's credential filter, CloudMapper): GenerateCredentialReport
/// until COMPLETE (Steampipe skips even this), then GetCredentialReport, and every verdict from the report, up to 4 hours old.
/// </summary>
internal sealed class ReportOnlyPeerModel : SweepStrategy
{
    public override string Name => "report-only peers (model)";

    public override string Calls => "GenerateCredentialReport (until COMPLETE) + GetCredentialReport";

    public override async Task<SweepOutcome> RunAsync(AwsClients aws, TimeProvider clock, CancellationToken cancellationToken)
    {
        while (await aws.Iam.GenerateCredentialReportAsync(cancellationToken) != "COMPLETE")
            await Task.Delay(TimeSpan.FromSeconds(2), clock, cancellationToken);
        var document = await aws.Iam.GetCredentialReportAsync(cancellationToken);
        var report = CredentialReport.Parse(document.Csv, document.GeneratedTime);
        var noTags = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var verdicts = report.Users.ToDictionary(
            row => row.UserName,
            row => Evaluator.Evaluate(row.ToState(row.Arn) with { Tags = noTags }, RuleParameters.Default, now).Compliance,
            StringComparer.OrdinalIgnoreCase);
        return new SweepOutcome(verdicts, null);
    }
}
