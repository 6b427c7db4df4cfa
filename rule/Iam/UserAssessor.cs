using System.Collections.Concurrent;
using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;

namespace MfaConfigRule.Iam;

/// <summary>How a sweep reads credential state; defaults suit a Lambda sweep of up to IAM's 5,000 users.</summary>
internal sealed record AssessorOptions
{
    /// <summary>Users assessed at once; IAM's token buckets are unpublished, so keep it modest and let retries absorb throttling.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>IAM regenerates the report at most every four hours; an older report is regenerated before use.</summary>
    public TimeSpan ReportMaxAge { get; init; } = TimeSpan.FromHours(4);

    /// <summary>How long to wait for a report being generated before falling back to live reads.</summary>
    public TimeSpan ReportWait { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ReportPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>CloudTrail is asked from this long before the report's generation time, so a change racing the report is caught.</summary>
    public TimeSpan CloudTrailMargin { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Off: read every user live (two calls a user). On: the report plus live reads only where it cannot be trusted.</summary>
    public bool UseCredentialReport { get; init; } = true;
}

/// <summary>A user that got no verdict in this run, and why (an AWS error after retries, or the deadline).</summary>
internal sealed record AssessmentFailure(IamUser User, string Cause);

/// <summary>What a sweep found, with what it cost, for the log line and the README's claims.</summary>
internal sealed record SweepResult(
    IReadOnlyList<Assessment> Assessments,
    IReadOnlyList<AssessmentFailure> Failures,
    IReadOnlySet<string> UserIds,
    SweepStats Stats);

internal sealed record SweepStats(
    int Users,
    string Mode,
    DateTimeOffset? ReportGeneratedTime,
    int ChangedSinceReport,
    int LiveReads,
    IReadOnlyList<string> Warnings);

/// <summary>
/// Reads the evidence each user's verdict needs and evaluates it. A sweep starts from cheap bulk sources (the
/// credential report, one ListVirtualMFADevices listing, CloudTrail's record of IAM changes since the report) and reads
/// a user live only where those cannot settle the verdict: every NON_COMPLIANT verdict rests on live reads, and a user
/// changed after the report was generated is read live.
/// </summary>
internal sealed class UserAssessor(IIamClient iam, ICloudTrailClient cloudTrail, TimeProvider time, AssessorOptions options)
{
    private const string NoSuchEntity = "NoSuchEntity";

    /// <summary>One user, all live (change-triggered evaluations). Tags come from the configuration item when given.</summary>
    public async Task<Assessment> AssessLiveAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var state = await ReadLiveAsync(user, tags, cancellationToken).ConfigureAwait(false);
        if (state is null) return Gone(user);
        var assessment = Evaluator.Evaluate(state, parameters, time.GetUtcNow());
        if (assessment.Missing.HasFlag(MissingEvidence.Tags))
        {
            var read = await ReadTagsAsync(user, cancellationToken).ConfigureAwait(false);
            if (read is null) return Gone(user);
            assessment = Evaluator.Evaluate(state with { Tags = read }, parameters, time.GetUtcNow());
        }
        return assessment;
    }

    /// <summary>Every user in the account. A user whose state cannot be read is listed in <see cref="SweepResult.Failures"/>, never guessed.</summary>
    public async Task<SweepResult> SweepAsync(RuleParameters parameters, CancellationToken cancellationToken, IProgress<(int Done, int Total)>? progress = null)
    {
        var (users, (report, changed, virtualDevices, warnings)) = await ReadAccountAsync(cancellationToken).ConfigureAwait(false);
        var rows = report?.Users.ToDictionary(r => r.UserName, StringComparer.OrdinalIgnoreCase);
        var useReport = rows is not null && changed is not null;

        var assessments = new ConcurrentBag<Assessment>();
        var failures = new ConcurrentBag<AssessmentFailure>();
        var liveReads = 0;
        var done = 0;
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency) }, async (user, _) =>
        {
            try
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    failures.Add(new AssessmentFailure(user, "not read: the invocation deadline came first"));
                    return;
                }
                CredentialReportRow? row = null;
                var trustReport = useReport
                    && rows!.TryGetValue(user.UserName, out row)
                    && !changed!.Contains(user.UserName)
                    && !(user.CreateDate >= report!.GeneratedTime - options.CloudTrailMargin)
                    // A console sign-in after the report by a user it shows without a password: the password is new, and
                    // CloudTrail may not show its CreateLoginProfile yet. ListUsers says so for free.
                    && !(!row!.PasswordEnabled && user.PasswordLastUsed >= report.GeneratedTime - options.CloudTrailMargin);
                var (assessment, readLive) = trustReport
                    ? await AssessFromReportAsync(user, row!, virtualDevices, parameters, cancellationToken).ConfigureAwait(false)
                    : (await AssessLiveAsync(user, null, parameters, cancellationToken).ConfigureAwait(false), true);
                if (readLive) Interlocked.Increment(ref liveReads);
                if (assessment.IsFinal) assessments.Add(assessment);
                else failures.Add(new AssessmentFailure(user, $"no verdict: {assessment.Annotation}"));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                failures.Add(new AssessmentFailure(user, "not read: the invocation deadline came first"));
            }
            catch (AwsServiceException e)
            {
                failures.Add(new AssessmentFailure(user, $"{e.Service} {e.Operation}: {e.ErrorCode}: {e.ServiceMessage}"));
            }
            catch (HttpRequestException e)
            {
                failures.Add(new AssessmentFailure(user, $"network: {e.Message}"));
            }
            finally
            {
                // Every user counts, verdict or not, so a progress display reaches its total.
                progress?.Report((Interlocked.Increment(ref done), users.Count));
            }
        }).ConfigureAwait(false);

        var mode = useReport ? "credential-report+live" : "live";
        var stats = new SweepStats(users.Count, mode, report?.GeneratedTime, changed?.Count ?? 0, liveReads, warnings);
        return new SweepResult(
            [.. assessments.OrderBy(a => a.User.UserName, StringComparer.Ordinal)],
            [.. failures.OrderBy(f => f.User.UserName, StringComparer.Ordinal)],
            users.Select(u => u.UserId).ToHashSet(StringComparer.Ordinal),
            stats);
    }

    /// <summary>
    /// The account-wide reads, side by side: ListUsers alongside the credential report, and once the report is in hand,
    /// CloudTrail's changes since it (six LookupEvents calls one after another: CloudTrail allows two a second)
    /// alongside ListVirtualMFADevices. The listing waits for the report because without one it has nothing to refine;
    /// it still finishes well inside the CloudTrail calls. Without the users there is no sweep: their failure stops the
    /// other reads and is the one that surfaces.
    /// </summary>
    private async Task<(IReadOnlyList<IamUser> Users, ReportEvidence Evidence)> ReadAccountAsync(CancellationToken cancellationToken)
    {
        using var reads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var usersTask = iam.ListUsersAsync(reads.Token);
        var reportTask = options.UseCredentialReport ? ReadReportEvidenceAsync(reads.Token) : Task.FromResult(ReportEvidence.None);
        IReadOnlyList<IamUser> users;
        try
        {
            users = await usersTask.ConfigureAwait(false);
        }
        catch
        {
            await reads.CancelAsync().ConfigureAwait(false);
            // Observed, so it does not run on unwatched; its own outcome no longer matters.
            await ((Task)reportTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        return (users, await reportTask.ConfigureAwait(false));
    }

    private async Task<ReportEvidence> ReadReportEvidenceAsync(CancellationToken cancellationToken)
    {
        var warnings = new ConcurrentQueue<string>();
        var report = await TryGetReportAsync(warnings, cancellationToken).ConfigureAwait(false);
        if (report is null) return ReportEvidence.None with { Warnings = [.. warnings] };
        foreach (var problem in report.Problems) warnings.Enqueue($"credential report line {problem.LineNumber}: {problem.Message}");

        var deviceWarnings = new ConcurrentQueue<string>();
        var devicesTask = TryVirtualDevicesAsync(deviceWarnings, cancellationToken);
        IReadOnlySet<string>? changed;
        try
        {
            changed = await TryChangedUsersAsync(report.GeneratedTime!.Value, warnings, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ((Task)devicesTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        var devices = await devicesTask.ConfigureAwait(false);
        return new ReportEvidence(report, changed, devices, [.. warnings, .. deviceWarnings]);
    }

    /// <summary>The credential report, the users CloudTrail shows changed since it, and the assigned virtual MFA devices.</summary>
    private sealed record ReportEvidence(
        CredentialReport? Report,
        IReadOnlySet<string>? Changed,
        ILookup<string, MfaDevice>? VirtualDevices,
        IReadOnlyList<string> Warnings)
    {
        public static readonly ReportEvidence None = new(null, null, null, []);
    }

    private async Task<(Assessment Assessment, bool ReadLive)> AssessFromReportAsync(
        IamUser user, CredentialReportRow row, ILookup<string, MfaDevice>? virtualDevices, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var state = row.ToState(user.UserId) with { User = user };
        // An assigned virtual device is live evidence from the bulk listing. A report saying "MFA active" with no
        // virtual device assigned now means a hardware or FIDO device, or a virtual one removed since the report:
        // only ListMFADevices can tell, so that user is read live.
        var assigned = virtualDevices?[user.UserName].ToList();
        if (assigned is { Count: > 0 } && parameters.AllowedMfaTypes.HasFlag(MfaKinds.Virtual))
            state = state with { Mfa = MfaEvidence.Live(assigned) };
        else if (assigned is { Count: 0 } && row.MfaActive && row.PasswordEnabled)
            return (await AssessLiveAsync(user, null, parameters, cancellationToken).ConfigureAwait(false), true);

        var assessment = Evaluator.Evaluate(state, parameters, time.GetUtcNow());
        if (assessment.IsFinal) return (assessment, false);
        return (await AssessLiveAsync(user, null, parameters, cancellationToken).ConfigureAwait(false), true);
    }

    /// <summary>Everything about one user read live, tags included (for <c>explain</c>); null when the user no longer exists.</summary>
    public async Task<UserCredentialState?> ReadEverythingLiveAsync(IamUser user, CancellationToken cancellationToken)
    {
        var state = await ReadLiveAsync(user, null, cancellationToken).ConfigureAwait(false);
        if (state is null) return null;
        var tags = await ReadTagsAsync(user, cancellationToken).ConfigureAwait(false);
        return tags is null ? null : state with { Tags = tags };
    }

    private async Task<UserCredentialState?> ReadLiveAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        try
        {
            var profileTask = iam.GetLoginProfileAsync(user.UserName, cancellationToken);
            var devicesTask = iam.ListMfaDevicesAsync(user.UserName, cancellationToken);
            // Both awaited together, so a failure of either is observed and neither runs on unwatched.
            await Task.WhenAll(profileTask, devicesTask).ConfigureAwait(false);
            var profile = await profileTask.ConfigureAwait(false);
            var devices = await devicesTask.ConfigureAwait(false);
            var password = profile is null
                ? PasswordEvidence.None(EvidenceSource.Live)
                : new PasswordEvidence(true, profile.CreateDate, EvidenceSource.Live);
            return new UserCredentialState(user, password, MfaEvidence.Live(devices), tags);
        }
        catch (AwsServiceException e) when (e.ErrorCode == NoSuchEntity)
        {
            return null;
        }
    }

    private async Task<IReadOnlyDictionary<string, string>?> ReadTagsAsync(IamUser user, CancellationToken cancellationToken)
    {
        try
        {
            return await iam.ListUserTagsAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == NoSuchEntity)
        {
            return null;
        }
    }

    private static Assessment Gone(IamUser user) =>
        new(user, ComplianceType.NotApplicable, "The user no longer exists.", MissingEvidence.None, null, null);

    private async Task<CredentialReport?> TryGetReportAsync(ConcurrentQueue<string> warnings, CancellationToken cancellationToken)
    {
        var waitUntil = time.GetUtcNow() + options.ReportWait;
        var generated = false;
        while (true)
        {
            try
            {
                var document = await iam.GetCredentialReportAsync(cancellationToken).ConfigureAwait(false);
                var age = time.GetUtcNow() - document.GeneratedTime;
                if (age <= options.ReportMaxAge || generated)
                    return CredentialReport.Parse(document.Csv, document.GeneratedTime);
            }
            catch (AwsServiceException e) when (e.ErrorCode is "ReportNotPresent" or "ReportExpired" or "ReportInProgress")
            {
                if (e.ErrorCode == "ReportInProgress") generated = true;
            }
            catch (AwsServiceException e)
            {
                warnings.Enqueue($"credential report unavailable ({e.ErrorCode}); reading every user live");
                return null;
            }
            catch (CredentialReportFormatException e)
            {
                warnings.Enqueue($"credential report unreadable ({e.Message}); reading every user live");
                return null;
            }

            if (!generated)
            {
                try
                {
                    await iam.GenerateCredentialReportAsync(cancellationToken).ConfigureAwait(false);
                    generated = true;
                    continue;
                }
                catch (AwsServiceException e)
                {
                    warnings.Enqueue($"credential report could not be generated ({e.ErrorCode}); reading every user live");
                    return null;
                }
            }
            if (time.GetUtcNow() + options.ReportPollInterval > waitUntil)
            {
                warnings.Enqueue($"credential report not ready after {options.ReportWait.TotalSeconds:0} s; reading every user live");
                return null;
            }
            await Task.Delay(options.ReportPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlySet<string>?> TryChangedUsersAsync(DateTimeOffset reportTime, ConcurrentQueue<string> warnings, CancellationToken cancellationToken)
    {
        var since = reportTime - options.CloudTrailMargin;
        var now = time.GetUtcNow();
        var changed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var eventName in IamEventNames.InvalidatingReport)
            {
                var events = await cloudTrail.LookupEventsAsync("EventName", eventName, since, now, cancellationToken).ConfigureAwait(false);
                foreach (var trailEvent in events)
                {
                    var names = UserNamesOf(trailEvent).ToList();
                    if (names.Count == 0)
                    {
                        // A change we cannot pin on a user could be anyone's: the report cannot be trusted for anyone.
                        warnings.Enqueue($"CloudTrail event {trailEvent.EventId} ({trailEvent.EventName}) names no user; reading every user live");
                        return null;
                    }
                    foreach (var name in names) changed.Add(name);
                }
            }
            return changed;
        }
        catch (AwsServiceException e)
        {
            warnings.Enqueue($"CloudTrail LookupEvents failed ({e.ErrorCode}); the report cannot be checked for later changes, reading every user live");
            return null;
        }
    }

    private async Task<ILookup<string, MfaDevice>?> TryVirtualDevicesAsync(ConcurrentQueue<string> warnings, CancellationToken cancellationToken)
    {
        try
        {
            var assignments = await iam.ListAssignedVirtualMfaDevicesAsync(cancellationToken).ConfigureAwait(false);
            return assignments.ToLookup(a => a.UserName, a => new MfaDevice(a.SerialNumber, a.EnableDate), StringComparer.OrdinalIgnoreCase);
        }
        catch (AwsServiceException e)
        {
            warnings.Enqueue($"ListVirtualMFADevices failed ({e.ErrorCode}); MFA devices are read per user");
            return null;
        }
    }

    /// <summary>The user an IAM event acted on: requestParameters.userName, else the event's IAM user resources.</summary>
    internal static IEnumerable<string> UserNamesOf(CloudTrailEvent trailEvent)
    {
        if (trailEvent.CloudTrailEventJson is { Length: > 0 } json)
        {
            string? userName = null;
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("requestParameters", out var request)
                    && request.ValueKind == JsonValueKind.Object
                    && request.TryGetProperty("userName", out var name)
                    && name.ValueKind == JsonValueKind.String)
                {
                    userName = name.GetString();
                }
            }
            catch (JsonException)
            {
                // A record we cannot read still names its resources below.
            }
            if (!string.IsNullOrEmpty(userName))
            {
                yield return userName;
                yield break;
            }
        }
        foreach (var name in trailEvent.ResourceNames)
            if (!name.StartsWith("arn:", StringComparison.Ordinal)) yield return name;
    }
}
