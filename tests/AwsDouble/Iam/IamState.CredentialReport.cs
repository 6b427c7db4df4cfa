using System.Globalization;
using AwsDouble.Protocol;

namespace AwsDouble.Iam;

/// <summary>How the credential report behaves; real IAM regenerates at most every four hours.</summary>
public sealed record CredentialReportTiming(TimeSpan GenerationDelay, TimeSpan MinimumAge, TimeSpan Expiry)
{
    public static CredentialReportTiming Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromHours(4), TimeSpan.FromHours(4));
}

/// <summary>The answer GenerateCredentialReport gives.</summary>
internal sealed record ReportGeneration(string State, string? Description);

/// <summary>The credential report: generated after a delay, regenerated at most every four hours, served as IAM serves it.</summary>
internal sealed partial class IamState
{
    private static readonly string[] ReportColumns =
    [
        "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
        "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
        "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
        "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
        "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
        "cert_2_active", "cert_2_last_rotated",
    ];

    private (string Csv, DateTimeOffset GeneratedTime, DateTimeOffset ReadyAt)? _pendingReport;
    private (string Csv, DateTimeOffset GeneratedTime)? _report;

    // ---- credential report ----

    public ReportGeneration GenerateCredentialReport(DateTimeOffset now)
    {
        lock (_gate)
        {
            CompletePendingReport(now);
            if (_pendingReport is not null) return new ReportGeneration("INPROGRESS", "Report generation in progress");
            if (_report is { } report && now - report.GeneratedTime < ReportTiming.MinimumAge) return new ReportGeneration("COMPLETE", null);
            var description = _report is null ? "No report exists. Starting a new report generation task" : null;
            var csv = BuildReport();
            _pendingReport = (ReportRewriter is { } rewrite ? rewrite(csv) : csv, now, now + ReportTiming.GenerationDelay);
            CompletePendingReport(now);
            return new ReportGeneration("STARTED", description);
        }
    }

    public (string Csv, DateTimeOffset GeneratedTime) GetCredentialReport(DateTimeOffset now)
    {
        lock (_gate)
        {
            CompletePendingReport(now);
            if (_pendingReport is not null)
                throw new AwsErrorException(404, "ReportInProgress", "The request was rejected because the credential report is still being generated.");
            var report = _report ?? throw new AwsErrorException(410, "ReportNotPresent",
                "The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.");
            if (now - report.GeneratedTime >= ReportTiming.Expiry)
            {
                throw new AwsErrorException(410, "ReportExpired",
                    "The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.");
            }
            return report;
        }
    }

    /// <summary>The report as it would be generated now, for tests that compare a client's parse with the source.</summary>
    public string BuildReportNow()
    {
        lock (_gate) return BuildReport();
    }

    private void CompletePendingReport(DateTimeOffset now)
    {
        // AwsBehaviours.CredentialReportNeverCompletes: IAM documents no bound on generation time.
        if (Behaviours().CredentialReportNeverCompletes) return;
        if (_pendingReport is { } pending && now >= pending.ReadyAt)
        {
            _report = (pending.Csv, pending.GeneratedTime);
            _pendingReport = null;
        }
    }

    /// <summary>The root row's password_enabled (AwsBehaviours.RootPassword: not_supported, or false/true).</summary>
    private string RootPasswordEnabled() => Behaviours().RootPassword switch
    {
        AwsDouble.RootPasswordEnabled.False => "false",
        AwsDouble.RootPasswordEnabled.True => "true",
        _ => "not_supported",
    };

    /// <summary>The 22 columns of the real report; the root row first, with its not_supported password columns.</summary>
    private string BuildReport()
    {
        var lines = new List<string>(_users.Count + 2) { string.Join(',', ReportColumns) };
        string[] noKeysOrCerts = ["false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"];
        lines.Add(string.Join(',', new[]
        {
            "<root_account>", $"arn:aws:iam::{_accountId}:root", ReportTime(AccountCreated), RootPasswordEnabled(), "no_information",
            "not_supported", "not_supported", RootHasMfa ? "true" : "false",
        }.Concat(noKeysOrCerts)));
        foreach (var user in _users.Values)
        {
            var profile = user.LoginProfile;
            lines.Add(string.Join(',', new[]
            {
                user.UserName, Arn(user), ReportTime(user.CreateDate),
                profile is null ? "false" : "true",
                profile is null ? "N/A" : user.PasswordLastUsed is { } used ? ReportTime(used) : "no_information",
                profile is null ? "N/A" : ReportTime(profile.PasswordLastChanged),
                "N/A",
                user.Devices.Count > 0 ? "true" : "false",
            }.Concat(noKeysOrCerts)));
        }
        return string.Join('\n', lines);
    }

    private static string ReportTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}
