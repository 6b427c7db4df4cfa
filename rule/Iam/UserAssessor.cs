using System.Collections.Concurrent;
using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Contract;

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
    IReadOnlyList<string> Warnings)
{
    /// <summary>Users the report shows without a password, or whose password CloudTrail cannot vouch for: one GetLoginProfile each.</summary>
    public int PasswordChecks { get; init; }

    /// <summary>How many users each <see cref="SweepPlan.Reason"/> applied to, so a log line says why users were read live.</summary>
    public IReadOnlyDictionary<string, int> PlanReasons { get; init; } = new Dictionary<string, int>();
}

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
    public async Task<Assessment> AssessLiveAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, RuleParameters parameters, CancellationToken cancellationToken) =>
        await AssessLiveOrNullAsync(user, tags, parameters, cancellationToken).ConfigureAwait(false) ?? Gone(user);

    /// <summary>
    /// The user IAM holds under <paramref name="user"/>'s ID now: GetUser by name, and when that name is gone or names
    /// another user (renamed, or deleted and reused), the ID looked up in ListUsers. Null when no user has the ID.
    /// </summary>
    public async Task<IamUser?> ResolveAsync(IamUser user, CancellationToken cancellationToken)
    {
        var named = await iam.GetUserAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        if (named is not null && string.Equals(named.UserId, user.UserId, StringComparison.Ordinal)) return named;
        var users = await iam.ListUsersAsync(cancellationToken).ConfigureAwait(false);
        return users.FirstOrDefault(u => string.Equals(u.UserId, user.UserId, StringComparison.Ordinal));
    }

    /// <summary>All live; null when IAM has no such user under this name.</summary>
    private async Task<Assessment?> AssessLiveOrNullAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var state = await ReadLiveAsync(user, tags, cancellationToken).ConfigureAwait(false);
        return state is null ? null : await WithTagsIfNeededAsync(state, parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates, reading the tags first when the verdict turns on them; null when the user is gone by then.</summary>
    private async Task<Assessment?> WithTagsIfNeededAsync(UserCredentialState state, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var assessment = Evaluator.Evaluate(state, parameters, time.GetUtcNow());
        if (!assessment.Missing.HasFlag(MissingEvidence.Tags)) return assessment;
        var read = await ReadTagsAsync(state.User, cancellationToken).ConfigureAwait(false);
        return read is null ? null : Evaluator.Evaluate(state with { Tags = read }, parameters, time.GetUtcNow());
    }

    private async Task<IReadOnlyList<MfaDevice>?> TryListMfaDevicesAsync(IamUser user, CancellationToken cancellationToken)
    {
        try
        {
            return await iam.ListMfaDevicesAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == NoSuchEntity)
        {
            return null;
        }
    }

    /// <summary>Every user in the account. A user whose state cannot be read is listed in <see cref="SweepResult.Failures"/>, never guessed.</summary>
    public async Task<SweepResult> SweepAsync(RuleParameters parameters, CancellationToken cancellationToken, IProgress<(int Done, int Total)>? progress = null)
    {
        var (users, (report, passwordsDeleted, virtualDevices, warnings)) = await ReadAccountAsync(cancellationToken).ConfigureAwait(false);
        var evidence = new BulkEvidence(report, virtualDevices, passwordsDeleted, users);

        var assessments = new ConcurrentDictionary<string, Assessment>(StringComparer.Ordinal);
        var failures = new ConcurrentBag<AssessmentFailure>();
        // Users whose reads came back "no such entity" or "no login profile": IAM answers both by name, so a user renamed
        // since ListUsers looks deleted or password-less. They are looked up again by ID once the loop is done.
        var unresolved = new ConcurrentDictionary<string, IamUser>(StringComparer.Ordinal);
        var liveReads = 0;
        var passwordChecks = 0;
        var reasons = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
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
                var plan = ReportTrust.Plan(user, evidence, parameters, options.CloudTrailMargin);
                if (plan.Step == SweepStep.ReadLive) Interlocked.Increment(ref liveReads);
                if (plan.Step == SweepStep.CheckPassword) Interlocked.Increment(ref passwordChecks);
                reasons.AddOrUpdate(plan.Reason, 1, (_, count) => count + 1);
                var outcome = await ExecuteAsync(user, plan, parameters, cancellationToken).ConfigureAwait(false);
                if (outcome.Unresolved) unresolved[user.UserId] = user;
                if (outcome.Assessment is not { } assessment) return;
                if (assessment.IsFinal) assessments[user.UserId] = assessment;
                else failures.Add(new AssessmentFailure(user, $"no verdict: {assessment.Annotation}"));
            }
            catch (Exception e) when (Contained(e, cancellationToken) is { } cause)
            {
                // One user's data or one failed call costs that user's verdict, never the other users' verdicts.
                unresolved.TryRemove(user.UserId, out IamUser? _);
                failures.Add(new AssessmentFailure(user, cause));
            }
            finally
            {
                // Every user counts, verdict or not, so a progress display reaches its total.
                progress?.Report((Interlocked.Increment(ref done), users.Count));
            }
        }).ConfigureAwait(false);

        if (!unresolved.IsEmpty)
            await ResolveByIdAsync([.. unresolved.Values], parameters, assessments, failures, cancellationToken).ConfigureAwait(false);

        var mode = report is not null ? "credential-report+live" : "live";
        var stats = new SweepStats(users.Count, mode, report?.GeneratedTime, passwordsDeleted?.Count ?? 0, liveReads, warnings)
        {
            PasswordChecks = passwordChecks,
            PlanReasons = reasons.ToDictionary(StringComparer.Ordinal),
        };
        return new SweepResult(
            [.. assessments.Values.OrderBy(a => a.User.UserName, StringComparer.Ordinal)],
            [.. failures.OrderBy(f => f.User.UserName, StringComparer.Ordinal)],
            users.Select(u => u.UserId).ToHashSet(StringComparer.Ordinal),
            stats);
    }

    /// <summary>The cause to record for an exception while assessing one user; null for a cancellation that is not the deadline's.</summary>
    private static string? Contained(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => "not read: the invocation deadline came first",
        OperationCanceledException => null,
        AwsServiceException aws => $"{aws.Service} {aws.Operation}: {aws.ErrorCode}: {aws.ServiceMessage}",
        HttpRequestException http => $"network: {http.Message}",
        _ => $"unexpected {e.GetType().Name} while assessing this user: {e.Message}",
    };

    /// <summary>A user's assessment (null: the user's reads found no such entity), and whether it must be confirmed by ID.</summary>
    private sealed record UserOutcome(Assessment? Assessment, bool Unresolved);

    /// <summary>Carries out a <see cref="SweepPlan"/>: the plan says what may be trusted, this reads the rest.</summary>
    private async Task<UserOutcome> ExecuteAsync(IamUser user, SweepPlan plan, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (plan.Step)
        {
            case SweepStep.Settled:
            {
                var row = plan.Row!;
                var password = new PasswordEvidence(true, row.PasswordLastChanged ?? row.UserCreationTime, EvidenceSource.CredentialReport);
                var settled = Evaluator.Evaluate(new UserCredentialState(user, password, MfaEvidence.Live(plan.AssignedVirtualDevices!), null), parameters, now);
                if (settled.IsFinal && settled.Compliance == ComplianceType.Compliant) return new(settled, false);
                break;
            }
            case SweepStep.CheckPassword:
            {
                var profile = await iam.GetLoginProfileAsync(user.UserName, cancellationToken).ConfigureAwait(false);
                if (profile is null)
                {
                    var none = new UserCredentialState(user, PasswordEvidence.None(EvidenceSource.Live), MfaEvidence.Live([]), null);
                    return new(Evaluator.Evaluate(none, parameters, now), Unresolved: true);
                }
                var password = new PasswordEvidence(true, profile.CreateDate, EvidenceSource.Live);
                var devices = plan.AssignedVirtualDevices is { } assigned && (MfaEvidence.Live(assigned).Kinds & parameters.AllowedMfaTypes) != MfaKinds.None
                    ? assigned
                    : await TryListMfaDevicesAsync(user, cancellationToken).ConfigureAwait(false);
                if (devices is null) return new(null, Unresolved: true);
                var assessment = await WithTagsIfNeededAsync(new UserCredentialState(user, password, MfaEvidence.Live(devices), null), parameters, cancellationToken).ConfigureAwait(false);
                return new(assessment, assessment is null);
            }
        }
        var live = await AssessLiveOrNullAsync(user, null, parameters, cancellationToken).ConfigureAwait(false);
        return new(live, live is null);
    }

    /// <summary>
    /// Users whose name-keyed reads said "no such entity" or "no login profile", looked up again by ID in one ListUsers:
    /// gone means deleted (NOT_APPLICABLE); under the same name the answer stands; under a new name (renamed mid-sweep)
    /// the user is read live under it.
    /// </summary>
    private async Task ResolveByIdAsync(
        IReadOnlyList<IamUser> unresolved, RuleParameters parameters, ConcurrentDictionary<string, Assessment> assessments, ConcurrentBag<AssessmentFailure> failures, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, IamUser> current;
        try
        {
            current = (await iam.ListUsersAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(u => u.UserId, StringComparer.Ordinal);
        }
        catch (Exception e) when (Contained(e, cancellationToken) is { } cause)
        {
            foreach (var user in unresolved)
            {
                assessments.TryRemove(user.UserId, out _);
                failures.Add(new AssessmentFailure(user, $"IAM had no entity or login profile under this name, and the user could not be looked up by ID: {cause}"));
            }
            return;
        }
        foreach (var user in unresolved)
        {
            if (!current.TryGetValue(user.UserId, out var now))
            {
                assessments[user.UserId] = Gone(user);
                continue;
            }
            if (string.Equals(now.UserName, user.UserName, StringComparison.Ordinal) && assessments.ContainsKey(user.UserId)) continue;
            assessments.TryRemove(user.UserId, out _);
            try
            {
                var again = await AssessLiveOrNullAsync(now, null, parameters, cancellationToken).ConfigureAwait(false);
                if (again is { IsFinal: true }) assessments[user.UserId] = again;
                else failures.Add(new AssessmentFailure(now, again is null
                    ? $"renamed while the sweep read it (was {user.UserName}), and not found under its new name either"
                    : $"no verdict: {again.Annotation}"));
            }
            catch (Exception e) when (Contained(e, cancellationToken) is { } cause)
            {
                failures.Add(new AssessmentFailure(now, cause));
            }
        }
    }

    /// <summary>
    /// The account-wide reads, side by side: ListUsers alongside the credential report, and once the report is in hand,
    /// CloudTrail's DeleteLoginProfile records since it alongside ListVirtualMFADevices. The listing waits for the report
    /// because without one it has nothing to refine. Without the users there is no sweep: their failure stops the other
    /// reads and is the one that surfaces.
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
        IReadOnlySet<string>? passwordsDeleted;
        try
        {
            passwordsDeleted = await TryPasswordsDeletedAsync(report.GeneratedTime!.Value, warnings, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ((Task)devicesTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        var devices = await devicesTask.ConfigureAwait(false);
        return new ReportEvidence(report, passwordsDeleted, devices, [.. warnings, .. deviceWarnings]);
    }

    /// <summary>The credential report, the users CloudTrail shows a password deleted for since it, and the assigned virtual MFA devices.</summary>
    private sealed record ReportEvidence(
        CredentialReport? Report,
        IReadOnlySet<string>? PasswordsDeleted,
        IReadOnlyList<VirtualMfaAssignment>? VirtualDevices,
        IReadOnlyList<string> Warnings)
    {
        public static readonly ReportEvidence None = new(null, null, null, []);
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

    /// <summary>
    /// Users CloudTrail shows a DeleteLoginProfile for since shortly before the report: the one change that makes the
    /// report's password column wrong in a way no live listing shows. Null when CloudTrail cannot say (it failed, or a
    /// record names no user): then every password the report vouches for is checked live.
    /// </summary>
    private async Task<IReadOnlySet<string>?> TryPasswordsDeletedAsync(DateTimeOffset reportTime, ConcurrentQueue<string> warnings, CancellationToken cancellationToken)
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
                    if (UserNameOf(trailEvent) is not { } name)
                    {
                        warnings.Enqueue($"CloudTrail event {trailEvent.EventId} ({trailEvent.EventName}) names no user; every console password the report shows is checked live");
                        return null;
                    }
                    changed.Add(name);
                }
            }
            return changed;
        }
        catch (AwsServiceException e)
        {
            warnings.Enqueue($"CloudTrail LookupEvents failed ({e.ErrorCode}); every console password the report shows is checked live");
            return null;
        }
    }

    private async Task<IReadOnlyList<VirtualMfaAssignment>?> TryVirtualDevicesAsync(ConcurrentQueue<string> warnings, CancellationToken cancellationToken)
    {
        try
        {
            return await iam.ListAssignedVirtualMfaDevicesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            warnings.Enqueue($"ListVirtualMFADevices failed ({e.ErrorCode}); every user the report shows with a console password is read live");
            return null;
        }
    }

    /// <summary>
    /// The user an IAM event acted on: requestParameters.userName, and nothing else. The event's resources also name what
    /// was acted on (an MFA serial, an ARN), which are not user names.
    /// </summary>
    internal static string? UserNameOf(CloudTrailEvent trailEvent)
    {
        if (trailEvent.CloudTrailEventJson is not { Length: > 0 } json) return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("requestParameters", out var request)
                && request.ValueKind == JsonValueKind.Object
                && request.TryGetProperty("userName", out var name)
                && name.ValueKind == JsonValueKind.String
                && name.GetString() is { Length: > 0 } userName)
                return userName;
        }
        catch (JsonException)
        {
            // A record we cannot read names no user.
        }
        return null;
    }
}
