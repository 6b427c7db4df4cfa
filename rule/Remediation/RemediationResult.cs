using System.Globalization;
using System.Text;
using System.Text.Json;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Remediation;

/// <summary>What remediation found about the user, read live in this run.</summary>
internal sealed record RemediationFindings(
    string Verdict,
    string Annotation,
    bool ConsolePassword,
    int MfaDevices,
    bool? EnforcementPolicyAttached,
    string? Exemption,
    DateTimeOffset? GraceEndsAt);

/// <summary>A console password remediation removed, recorded so a person can give it back.</summary>
internal sealed record RemovedLoginProfile(DateTimeOffset CreateDate, bool PasswordResetRequired);

/// <summary>
/// The structured answer of one remediation (found / did / why), returned to the SSM document, whose assert step reads
/// <c>ok</c> and <c>outcome</c>. <see cref="Did"/> lists the IAM changes made, in order; empty when nothing changed.
/// </summary>
internal sealed record RemediationResult(
    RemediationOutcome Outcome,
    RemediationAction Action,
    bool DryRun,
    string UserId,
    string? UserName,
    RemediationFindings? Found,
    IReadOnlyList<string> Did,
    string Why)
{
    public bool Ok => Outcome.IsOk();

    public RemovedLoginProfile? Removed { get; init; }

    /// <summary>How to reverse what was done, as an AWS CLI command a person can run; null when nothing was changed.</summary>
    public string? Undo { get; init; }

    /// <summary>The IAM error code behind a failure (LimitExceeded, Throttling…), when there was one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Organization mode: the member account the user is in.</summary>
    public string? AccountId { get; init; }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", Ok);
            writer.WriteString("outcome", Outcome.ToWire());
            writer.WriteString("action", Action.ToWire());
            writer.WriteBoolean("dryRun", DryRun);
            writer.WriteBoolean("changed", Did.Count > 0);
            writer.WriteString("why", Why);
            writer.WriteStartObject("user");
            if (AccountId is not null) writer.WriteString("account", AccountId);
            writer.WriteString("userId", UserId);
            if (UserName is not null) writer.WriteString("userName", UserName);
            writer.WriteEndObject();
            if (Found is { } found)
            {
                writer.WriteStartObject("found");
                writer.WriteString("verdict", found.Verdict);
                writer.WriteString("annotation", found.Annotation);
                writer.WriteBoolean("consolePassword", found.ConsolePassword);
                writer.WriteNumber("mfaDevices", found.MfaDevices);
                if (found.EnforcementPolicyAttached is { } attached) writer.WriteBoolean("enforcementPolicyAttached", attached);
                if (found.Exemption is not null) writer.WriteString("exemption", found.Exemption);
                if (found.GraceEndsAt is { } grace) writer.WriteString("graceEndsAt", Iso(grace));
                writer.WriteEndObject();
            }
            writer.WriteStartArray("did");
            foreach (var change in Did) writer.WriteStringValue(change);
            writer.WriteEndArray();
            if (Removed is { } removed)
            {
                writer.WriteStartObject("removed");
                writer.WriteStartObject("loginProfile");
                writer.WriteString("createDate", Iso(removed.CreateDate));
                writer.WriteBoolean("passwordResetRequired", removed.PasswordResetRequired);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            if (Undo is not null) writer.WriteString("undo", Undo);
            if (ErrorCode is not null) writer.WriteString("errorCode", ErrorCode);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
