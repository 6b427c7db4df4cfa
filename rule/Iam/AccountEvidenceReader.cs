using MfaConfigRule.Contract;
using System.Collections.Concurrent;
using System.Globalization;
using MfaConfigRule.Aws;
using MfaConfigRule.CloudTrail;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>
/// The account-wide reads a sweep starts from: ListUsers, the credential report (generated and polled for when missing
/// or old), CloudTrail's DeleteLoginProfile records since the report, and one ListVirtualMFADevices listing. Whatever
/// of the report evidence cannot be read is left out with a warning, and the sweep reads those users live instead.
/// How long it waits for a report still being generated is <see cref="ReportWaitDecision"/>'s: never so long that the
/// live reads a missing report calls for no longer fit before the invocation's deadline.
/// </summary>
internal sealed class AccountEvidenceReader(IIamClient iam, ICloudTrailClient cloudTrail, TimeProvider time, AssessorOptions options)
{
    /// <summary>
    /// The account-wide reads, side by side: ListUsers alongside the credential report, and once the report is in hand,
    /// CloudTrail's DeleteLoginProfile records since it alongside ListVirtualMFADevices. The listing waits for the report
    /// because without one it has nothing to refine. Without the users there is no sweep: their failure stops the other
    /// reads and is the one that surfaces.
    /// </summary>
    public async Task<(IReadOnlyList<IamUser> Users, ReportEvidence Evidence)> ReadAsync(SweepDeadline? deadline, CancellationToken cancellationToken)
    {
        using var reads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var usersTask = iam.ListUsersAsync(reads.Token);
        var reportTask = options.UseCredentialReport ? ReadReportEvidenceAsync(usersTask, deadline, reads.Token) : Task.FromResult(ReportEvidence.None);
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

    private async Task<ReportEvidence> ReadReportEvidenceAsync(Task<IReadOnlyList<IamUser>> usersTask, SweepDeadline? deadline, CancellationToken cancellationToken)
    {
        var warnings = new ConcurrentQueue<string>();
        var report = await TryGetReportAsync(usersTask, deadline, warnings, cancellationToken).ConfigureAwait(false);
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

    private async Task<CredentialReport?> TryGetReportAsync(
        Task<IReadOnlyList<IamUser>> usersTask, SweepDeadline? deadline, ConcurrentQueue<string> warnings, CancellationToken cancellationToken)
    {
        ReportWait? wait = null;
        var waitStart = DateTimeOffset.MinValue;
        var generated = false;
        // The slowest IAM call seen so far: a live read costs about two such round trips, so a slow IAM shortens the wait.
        var slowestCall = TimeSpan.Zero;
        while (true)
        {
            var started = time.GetUtcNow();
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
            finally
            {
                slowestCall = Max(slowestCall, time.GetUtcNow() - started);
            }

            if (!generated)
            {
                started = time.GetUtcNow();
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
                finally
                {
                    slowestCall = Max(slowestCall, time.GetUtcNow() - started);
                }
            }
            if (wait is null)
            {
                // Decided once, when the first wait is due: by then the users are listed (or their failure ends the sweep).
                var users = await usersTask.ConfigureAwait(false);
                waitStart = time.GetUtcNow();
                wait = ReportWaitDecision.Decide(
                    deadline is null ? null : deadline.Deadline - waitStart, users.Count, Max(options.LiveReadCost, slowestCall * 2),
                    Math.Max(1, options.Concurrency), deadline?.Reserve ?? TimeSpan.Zero, options.ReportWait);
            }
            // The next poll's own call counts too: the wait ends before a poll that could not come back within it.
            if (time.GetUtcNow() + options.ReportPollInterval + slowestCall > waitStart + wait.Value.MayWait)
            {
                warnings.Enqueue(string.Create(CultureInfo.InvariantCulture,
                    $"credential report not ready within {wait.Value.MayWait.TotalSeconds:0} s (the report wait, {wait.Value.Explanation}); reading every user live"));
                return null;
            }
            await Task.Delay(options.ReportPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

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
                    if (trailEvent.RequestUserName() is not { } name)
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
}
