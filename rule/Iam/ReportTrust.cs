using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>What a sweep does for one user: take the bulk evidence's verdict, check the password live, or read everything live.</summary>
internal enum SweepStep
{
    /// <summary>A console password (report) and an allowed virtual MFA device assigned to this user ID (live listing): COMPLIANT.</summary>
    Settled,

    /// <summary>The report shows no console password: GetLoginProfile decides, since a password may have been created since.</summary>
    CheckPassword,

    /// <summary>The bulk evidence cannot speak for this user: GetLoginProfile and ListMFADevices.</summary>
    ReadLive,
}

/// <summary>The plan for one user and why, in words a log line and a test can read.</summary>
/// <param name="Row">The report row bound to this user (name, creation second and ARN all agree), if any.</param>
/// <param name="AssignedVirtualDevices">Virtual devices the live listing assigns to this user's ID; null when the listing failed.</param>
internal sealed record SweepPlan(SweepStep Step, string Reason, CredentialReportRow? Row, IReadOnlyList<MfaDevice>? AssignedVirtualDevices);

/// <summary>
/// The account-wide evidence a sweep starts from. Each source may be missing (it failed, or was not asked for); a missing
/// source removes exactly the shortcuts that rested on it.
/// </summary>
internal sealed class BulkEvidence
{
    private readonly ILookup<string, CredentialReportRow> _rowsByName;
    private readonly HashSet<string> _unreadableNames;
    private readonly HashSet<(long Second, string Path)> _sharedCreation;
    private readonly ILookup<string, MfaDevice>? _virtualDevicesByUserId;

    /// <param name="report">The credential report; null when it could not be had.</param>
    /// <param name="virtualDevices">ListVirtualMFADevices (Assigned); null when it failed.</param>
    /// <param name="passwordsDeleted">User names CloudTrail shows a DeleteLoginProfile for since shortly before the report; null when CloudTrail failed or named no user.</param>
    /// <param name="users">Every user ListUsers returned, to find creation seconds two users share.</param>
    public BulkEvidence(
        CredentialReport? report,
        IReadOnlyList<VirtualMfaAssignment>? virtualDevices,
        IReadOnlySet<string>? passwordsDeleted,
        IReadOnlyList<IamUser> users)
    {
        Report = report;
        PasswordsDeleted = passwordsDeleted;
        _rowsByName = (report?.Users ?? []).ToLookup(r => r.UserName, StringComparer.OrdinalIgnoreCase);
        _unreadableNames = (report?.Problems ?? []).Select(p => p.UserName).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        // Two users created in the same second under the same path differ in the report only by name: after a rename
        // or swap, one's row would bind to the other. Such rows and users take no shortcut.
        // Counted within each source: a user and its own row share their second, two rows or two users must not.
        _sharedCreation = [.. Shared((report?.Users ?? []).Select(r => CreationKey(r.UserCreationTime, IamUser.PathFromArn(r.Arn, r.UserName))))
            .Concat(Shared(users.Select(u => CreationKey(u.CreateDate, u.Path))))];
        // Bound by the user ID IAM gives with each assignment, never by name: a name may have changed hands.
        _virtualDevicesByUserId = virtualDevices?.Where(d => d.UserId is { Length: > 0 })
            .ToLookup(d => d.UserId!, d => new MfaDevice(d.SerialNumber, d.EnableDate), StringComparer.Ordinal);
    }

    public CredentialReport? Report { get; }

    public IReadOnlySet<string>? PasswordsDeleted { get; }

    public bool VirtualDevicesListed => _virtualDevicesByUserId is not null;

    public IReadOnlyList<CredentialReportRow> RowsNamed(string userName) => [.. _rowsByName[userName]];

    public bool HasUnreadableRow(string userName) => _unreadableNames.Contains(userName);

    public bool SharesCreationSecond(DateTimeOffset? created, string path) =>
        CreationKey(created, path) is { } key && _sharedCreation.Contains(key);

    public IReadOnlyList<MfaDevice>? VirtualDevicesOf(string userId) =>
        _virtualDevicesByUserId is null ? null : [.. _virtualDevicesByUserId[userId]];

    private static IEnumerable<(long, string)> Shared(IEnumerable<(long, string)?> keys) =>
        keys.OfType<(long, string)>().GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key);

    private static (long, string)? CreationKey(DateTimeOffset? created, string path) =>
        created is { } at ? (at.ToUnixTimeSeconds(), path) : null;
}

/// <summary>
/// Which evidence may be trusted for which user: the one decision the sweep's promises rest on (style rule 10).
///
/// The credential report is hours old and names users only by name, so it is trusted for one thing only: that a
/// user it shows WITH a console password has one, and only when its row is certainly this user's (same name, same
/// creation second, same ARN, one readable row, no other user created in that second under that path). Even then it
/// settles only COMPLIANT, next to an allowed virtual device the live listing assigns to this user's ID. A user the
/// report shows without a password is checked live, so a password created since is never hidden, and every other user
/// is read live. What is left to staleness is benign: a password deleted after the report gives COMPLIANT where the
/// truth is NOT_APPLICABLE, and CloudTrail's DeleteLoginProfile records narrow even that to the records not yet
/// delivered.
/// </summary>
internal static class ReportTrust
{
    public static SweepPlan Plan(IamUser user, BulkEvidence evidence, RuleParameters parameters, TimeSpan cloudTrailMargin)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(parameters);
        var devices = evidence.VirtualDevicesOf(user.UserId);
        if (evidence.Report is not { GeneratedTime: { } generated })
            return new(SweepStep.ReadLive, "no credential report", null, devices);

        var rows = evidence.RowsNamed(user.UserName);
        if (evidence.HasUnreadableRow(user.UserName))
            return new(SweepStep.ReadLive, "the report has an unreadable row for this name", null, devices);
        if (rows.Count == 0)
            return new(SweepStep.ReadLive, "not in the credential report", null, devices);
        if (rows.Count > 1)
            return new(SweepStep.ReadLive, "the report has several rows for this name", null, devices);
        var row = rows[0];
        if (row.UserCreationTime is not { } rowCreated || user.CreateDate is not { } created
            || rowCreated.ToUnixTimeSeconds() != created.ToUnixTimeSeconds())
            return new(SweepStep.ReadLive, "the report's row for this name is another user's (creation time differs)", null, devices);
        if (!string.Equals(row.Arn, user.Arn, StringComparison.Ordinal))
            return new(SweepStep.ReadLive, "the report's row for this name is another user's (ARN differs)", null, devices);
        if (evidence.SharesCreationSecond(created, user.Path))
            return new(SweepStep.ReadLive, "another user was created in the same second under the same path", null, devices);
        if (created >= generated - cloudTrailMargin)
            return new(SweepStep.ReadLive, "created around the report's generation", null, devices);

        if (!row.PasswordEnabled)
            return new(SweepStep.CheckPassword, "the report shows no console password; one may have been created since", row, devices);
        if (devices is null)
            return new(SweepStep.ReadLive, "ListVirtualMFADevices failed, so no MFA device is known live", row, devices);
        if ((MfaEvidence.Live(devices).Kinds & parameters.AllowedMfaTypes) == MfaKinds.None)
        {
            return new(SweepStep.ReadLive, devices.Count == 0
                ? "console password per report and no virtual MFA device assigned now"
                : "console password per report and only virtual MFA, which the rule does not accept alone", row, devices);
        }
        if (evidence.PasswordsDeleted is null)
            return new(SweepStep.CheckPassword, "CloudTrail cannot show whether the password was deleted since the report", row, devices);
        if (evidence.PasswordsDeleted.Contains(user.UserName))
            return new(SweepStep.CheckPassword, "CloudTrail shows a DeleteLoginProfile since the report", row, devices);
        return new(SweepStep.Settled, "console password per report and a virtual MFA device assigned to this user ID now", row, devices);
    }
}
