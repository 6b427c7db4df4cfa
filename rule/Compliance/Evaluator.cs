using System.Globalization;

namespace MfaConfigRule.Compliance;

/// <summary>What an assessment could not decide without more evidence; the caller fetches it and asks again.</summary>
[Flags]
internal enum MissingEvidence
{
    None = 0,

    /// <summary>The verdict would be NON_COMPLIANT but rests on the credential report; it must be confirmed live.</summary>
    LiveState = 1,

    /// <summary>The report says MFA is active but not of which kind, and <c>AllowedMfaTypes</c> needs the kind.</summary>
    MfaDeviceKinds = 2,

    /// <summary>The user would be NON_COMPLIANT and the exemption tag was not read.</summary>
    Tags = 4,
}

/// <summary>An exemption that applied, and when it ends (null: until the parameter changes).</summary>
internal sealed record Exemption(string Reason, DateTimeOffset? EndsAt);

/// <summary>
/// The outcome for one user. <see cref="Compliance"/> is null when the evidence cannot decide it; it is never
/// COMPLIANT for want of evidence. A verdict with <see cref="MissingEvidence.LiveState"/> is what the credential
/// report alone says: good for an offline audit, not yet for Config.
/// </summary>
internal sealed record Assessment(
    IamUser User,
    ComplianceType? Compliance,
    string Annotation,
    MissingEvidence Missing,
    Exemption? Exemption,
    DateTimeOffset? GraceEndsAt)
{
    /// <summary>Cut to Config's 256 characters when built, so the CLI shows the annotation Config will hold.</summary>
    public string Annotation { get; } = Evaluation.Truncate(Annotation ?? string.Empty);

    /// <summary>For a NON_COMPLIANT verdict: how exposed the user is (riskiest first in the CLI); null otherwise.</summary>
    public Exposure? Exposure { get; init; }

    /// <summary>The user no longer exists (<see cref="UserGone.Assessment"/>): a flag, so no caller reads it from the annotation.</summary>
    public bool UserVanished { get; init; }

    public bool IsFinal => Compliance is not null && Missing == MissingEvidence.None;

    /// <summary>This final assessment as the evaluation of <paramref name="resourceId"/>, its <see cref="UserVanished"/> flag carried.</summary>
    /// <remarks>Here, not on <see cref="Evaluation"/>: infra compiles Evaluation.cs by link, and not the evaluator.</remarks>
    public Evaluation ToEvaluation(string resourceId, DateTimeOffset orderingTimestamp)
    {
        if (Compliance is not { } compliance) throw new InvalidOperationException("the assessment has no verdict");
        return Evaluation.ForUser(resourceId, compliance, Annotation, orderingTimestamp) with { UserVanished = UserVanished };
    }
}

/// <summary>Pure: credential state + parameters + the time now → assessment. No I/O, no clock of its own.</summary>
internal static class Evaluator
{
    public const string DateFormat = "yyyy-MM-dd";

    public static Assessment Evaluate(UserCredentialState state, RuleParameters parameters, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        var user = state.User;

        if (!state.Password.Enabled)
        {
            var source = state.Password.Source == EvidenceSource.CredentialReport ? " (credential report)" : string.Empty;
            return new Assessment(user, parameters.NoPasswordResult,
                $"No console password{source}: the control covers only users who can sign in to the console.",
                MissingEvidence.None, null, null);
        }

        var allowed = parameters.AllowedMfaTypes;
        var accepted = MfaKindNames.AcceptedBy(allowed);
        var mfa = state.Mfa;
        var satisfying = mfa.Kinds & accepted;
        if (satisfying != MfaKinds.None)
        {
            var devices = mfa.Devices.Where(d => (d.Kind & accepted) != MfaKinds.None).ToList();
            var seen = UnrecognisedSerials(devices) is { Length: > 0 } serialKinds ? $"; serial kind {serialKinds}" : string.Empty;
            return new Assessment(user, ComplianceType.Compliant,
                $"Console password protected by {MfaKindNames.Describe(satisfying)} MFA ({CountDevices(devices.Count)}{seen}).",
                MissingEvidence.None, null, null);
        }

        if (mfa.ActiveKindsUnknown && mfa.Devices.Count == 0)
        {
            if (allowed == MfaKinds.All)
            {
                return new Assessment(user, ComplianceType.Compliant,
                    "Console password protected by MFA (credential report).", MissingEvidence.None, null, null);
            }
            return new Assessment(user, null,
                $"The credential report shows MFA but not its kind; {MfaKindNames.Describe(allowed)} is required, so the devices must be read.",
                MissingEvidence.MfaDeviceKinds, null, null);
        }

        // From here the user would be NON_COMPLIANT: a console password without an allowed MFA device.
        var missing = state.Password.Source == EvidenceSource.Live && mfa.Source == EvidenceSource.Live
            ? MissingEvidence.None
            : MissingEvidence.LiveState;
        var problem = mfa.Devices.Count == 0
            ? "no MFA device"
            : $"only {MfaKindNames.Describe(mfa.Kinds)} MFA{(UnrecognisedSerials(mfa.Devices) is { Length: > 0 } kinds ? $" (serial kind {kinds})" : string.Empty)}, which this rule does not accept";

        var (exemption, tagNote, tagsMissing) = FindExemption(state, parameters, now);
        if (exemption is not null)
        {
            var until = exemption.EndsAt switch
            {
                null => string.Empty,
                { } end when end == DateTimeOffset.MaxValue => " with no end date",
                { } end => $" through {end.AddTicks(-1).ToString(DateFormat, CultureInfo.InvariantCulture)}",
            };
            return new Assessment(user, ComplianceType.NotApplicable,
                $"Exempt{until} ({exemption.Reason}); console password with {problem}.",
                MissingEvidence.None, exemption, null);
        }
        if (tagsMissing)
        {
            return new Assessment(user, null,
                $"Console password with {problem}; the exemption tag {parameters.ExemptionTagKey} must be read before a verdict.",
                missing | MissingEvidence.Tags, null, null);
        }

        var setAt = state.Password.SetAt;
        var since = setAt is { } set ? $" (set {set.ToString(DateFormat, CultureInfo.InvariantCulture)})" : string.Empty;
        var remedy = $"Assign a {MfaKindNames.Describe(allowed)} MFA device: IAM > Users > {user.UserName} > Security credentials.";
        // Grace does not change the verdict (the user is exposed until MFA is on, and Config and Security Hub should show
        // it); it tells the person when the grace ends, and remediation leaves the user alone until then.
        DateTimeOffset? graceEnds = null;
        var graceNote = string.Empty;
        if (parameters.GracePeriod > TimeSpan.Zero && setAt is { } passwordSet)
        {
            // A password date after now (a skewed clock, a doctored report) buys no more grace than a password set now.
            var ends = UtcTime.AddSaturating(passwordSet < now ? passwordSet : now, parameters.GracePeriod);
            if (now < ends)
            {
                graceEnds = ends;
                graceNote = $" New password: grace period ends {ends.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z.";
            }
        }
        return new Assessment(user, ComplianceType.NonCompliant, $"Console password{since} with {problem}.{graceNote}{tagNote} {remedy}", missing, null, graceEnds)
        {
            Exposure = new Exposure(mfa.Devices.Count > 0, user.PasswordLastUsed, setAt, graceEnds is not null),
        };
    }

    private static (Exemption? Exemption, string TagNote, bool TagsMissing) FindExemption(
        UserCredentialState state, RuleParameters parameters, DateTimeOffset now)
    {
        var user = state.User;
        if (parameters.ExemptUserNames.Contains(user.UserName))
            return (new Exemption($"user name listed in {RuleParameters.ExemptUserNamesKey}", null), string.Empty, false);
        var prefix = parameters.ExemptPathPrefixes.FirstOrDefault(p => user.Path.StartsWith(p, StringComparison.Ordinal));
        if (prefix is not null)
            return (new Exemption($"path {prefix} listed in {RuleParameters.ExemptPathPrefixesKey}", null), string.Empty, false);

        var key = parameters.ExemptionTagKey;
        if (key.Length == 0) return (null, string.Empty, false);
        if (state.Tags is null) return (null, string.Empty, true);
        // IAM tag keys are unique regardless of case, so the key is matched the same way.
        var value = state.Tags.FirstOrDefault(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
        if (value is null) return (null, string.Empty, false);

        if (!DateOnly.TryParseExact(value.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return (null, $" Tag {key}='{Shorten(value)}' is not a YYYY-MM-DD date, so it exempts nothing.", false);
        var endsAt = UtcTime.EndOfDay(date);
        if (now >= endsAt)
            return (null, $" Exemption tag {key} expired on {date.ToString(DateFormat, CultureInfo.InvariantCulture)}.", false);
        return (new Exemption($"tag {key}", endsAt), string.Empty, false);
    }

    private static string CountDevices(int count) => count switch
    {
        0 => "per credential report",
        1 => "1 device",
        _ => $"{count} devices",
    };

    /// <summary>The serial kinds of devices this rule does not recognise, as the annotation names them ("sms-mfa").</summary>
    private static string UnrecognisedSerials(IEnumerable<MfaDevice> devices) =>
        string.Join(", ", devices.Where(d => d.Kind == MfaKinds.Unknown).Select(d => MfaKindNames.SerialKind(d.SerialNumber)).Distinct(StringComparer.Ordinal).Take(3));

    private static string Shorten(string value) => value.Length <= 24 ? value : string.Concat(value.AsSpan(0, Evaluation.CutAt(value, 21)), "...");
}
