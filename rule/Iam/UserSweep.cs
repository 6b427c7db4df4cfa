using System.Collections.Concurrent;
using MfaConfigRule.Aws;
using MfaConfigRule.CloudTrail;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>
/// Every user in the account, assessed in parallel. A sweep starts from cheap bulk sources (<see cref="AccountEvidenceReader"/>)
/// and reads a user live (<see cref="LiveUserReader"/>) only where <see cref="ReportTrust"/> says those cannot settle
/// the verdict: every NON_COMPLIANT verdict rests on live reads, and a user changed after the report was generated is
/// read live. Users that looked deleted or password-less under their listed name are looked up again by ID at the end,
/// so a rename mid-sweep costs no verdict.
/// </summary>
internal sealed class UserSweep
{
    private readonly IIamClient _iam;
    private readonly TimeProvider _time;
    private readonly AssessorOptions _options;
    private readonly LiveUserReader _live;
    private readonly AccountEvidenceReader _evidence;

    public UserSweep(IIamClient iam, ICloudTrailClient cloudTrail, TimeProvider time, AssessorOptions options)
    {
        _iam = iam;
        _time = time;
        _options = options;
        _live = new LiveUserReader(iam, time);
        _evidence = new AccountEvidenceReader(iam, cloudTrail, time, options);
    }

    /// <summary>
    /// Every user in the account. A user whose state cannot be read is listed in <see cref="SweepResult.Failures"/>, never
    /// guessed. <paramref name="deadline"/>: the invocation's, which bounds the wait for a credential report so that the
    /// live reads still fit (<see cref="ReportWaitDecision"/>); <paramref name="cancellationToken"/> is cancelled at its
    /// <see cref="SweepDeadline.StopBy"/>.
    /// </summary>
    public async Task<SweepResult> SweepAsync(RuleParameters parameters, CancellationToken cancellationToken, IProgress<(int Done, int Total)>? progress = null, SweepDeadline? deadline = null)
    {
        var (users, (report, passwordsDeleted, virtualDevices, warnings)) = await _evidence.ReadAsync(deadline, cancellationToken).ConfigureAwait(false);
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
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency) }, async (user, _) =>
        {
            try
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    failures.Add(new AssessmentFailure(user, "not read: the invocation deadline came first"));
                    return;
                }
                var plan = ReportTrust.Plan(user, evidence, parameters, _options.CloudTrailMargin);
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
        var now = _time.GetUtcNow();
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
                var profile = await _iam.GetLoginProfileAsync(user.UserName, cancellationToken).ConfigureAwait(false);
                if (profile is null)
                {
                    var none = new UserCredentialState(user, PasswordEvidence.None(EvidenceSource.Live), MfaEvidence.Live([]), null);
                    return new(Evaluator.Evaluate(none, parameters, now), Unresolved: true);
                }
                var password = new PasswordEvidence(true, profile.CreateDate, EvidenceSource.Live);
                var devices = plan.AssignedVirtualDevices is { } assigned && (MfaEvidence.Live(assigned).Kinds & parameters.AllowedMfaTypes) != MfaKinds.None
                    ? assigned
                    : await _live.TryListMfaDevicesAsync(user, cancellationToken).ConfigureAwait(false);
                if (devices is null) return new(null, Unresolved: true);
                var assessment = await _live.WithTagsIfNeededAsync(new UserCredentialState(user, password, MfaEvidence.Live(devices), null), parameters, cancellationToken).ConfigureAwait(false);
                return new(assessment, assessment is null);
            }
        }
        var live = await _live.AssessOrNullAsync(user, null, parameters, cancellationToken).ConfigureAwait(false);
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
            current = (await _iam.ListUsersAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(u => u.UserId, StringComparer.Ordinal);
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
                assessments[user.UserId] = UserGone.Assessment(user);
                continue;
            }
            if (string.Equals(now.UserName, user.UserName, StringComparison.Ordinal) && assessments.ContainsKey(user.UserId)) continue;
            assessments.TryRemove(user.UserId, out _);
            try
            {
                var again = await _live.AssessOrNullAsync(now, null, parameters, cancellationToken).ConfigureAwait(false);
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
}
