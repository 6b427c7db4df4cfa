using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MfaConfigRule.CloudTrail;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;

namespace MfaConfigRule.Tests;

/// <summary>
/// Users, credential states, credential reports, CloudTrail records and Config events for tests. The Config event shapes
/// follow the captures in research/aws-config-contract.md §2.2 (strings inside strings, field names as Config writes them).
/// </summary>
internal static class Builders
{
    public const string AccountId = "123456789012";
    public const string RuleName = "mfa-for-console-users";
    public const string ResultToken = "eyJlbmNyeXB0ZWREYXRhIjpbXX0=";

    /// <summary>The tests' "now": a Sunday noon UTC.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static IamUser User(string name, string path = "/", DateTimeOffset? created = null, string? id = null) =>
        new(id ?? UserIdFor(name), name, UserArn(name, path), path, created ?? CreatedAt(name));

    /// <summary>400 to 800 days ago, at a second of its own per name: real users are rarely created in the same second.</summary>
    public static DateTimeOffset CreatedAt(string name) =>
        Now.AddDays(-800).AddSeconds(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(name))) % (400 * 86_400));

    public static string UserArn(string name, string path = "/") => $"arn:aws:iam::{AccountId}:user{path}{name}";

    /// <summary>A stable AIDA… id per name, so a test can name the resource id Config holds for a user.</summary>
    public static string UserIdFor(string name) =>
        "AIDA" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];

    // MFA devices, serials as IAM writes them.
    public static MfaDevice Virtual(string userName, DateTimeOffset? enabled = null) =>
        new($"arn:aws:iam::{AccountId}:mfa/{userName}", enabled ?? Now.AddDays(-100));

    public static MfaDevice Fido(string userName, DateTimeOffset? enabled = null) =>
        new($"arn:aws:iam::{AccountId}:u2f/user/{userName}/yubikey-ABCDEFGHIJKLMNOPQRSTUVWXYZ", enabled ?? Now.AddDays(-100));

    public static MfaDevice Hardware(DateTimeOffset? enabled = null) => new("GAHT12345678", enabled ?? Now.AddDays(-100));

    /// <summary>A device whose serial is an ARN of a kind the rule does not recognise (IAM's old SMS MFA).</summary>
    public static MfaDevice UnknownKind(string userName, DateTimeOffset? enabled = null) =>
        new($"arn:aws:iam::{AccountId}:sms-mfa/{userName}", enabled ?? Now.AddDays(-100));

    // Credential state.
    public static PasswordEvidence LivePassword(DateTimeOffset? setAt = null) => new(true, setAt ?? Now.AddDays(-30), EvidenceSource.Live);

    public static PasswordEvidence ReportPassword(DateTimeOffset? setAt = null) =>
        new(true, setAt ?? Now.AddDays(-30), EvidenceSource.CredentialReport);

    public static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public static IReadOnlyDictionary<string, string> Tags(params (string Key, string Value)[] tags) =>
        tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);

    public static UserCredentialState LiveState(IamUser user, DateTimeOffset? passwordSetAt, IReadOnlyList<MfaDevice> devices, IReadOnlyDictionary<string, string>? tags = null) =>
        new(user,
            passwordSetAt is null ? PasswordEvidence.None(EvidenceSource.Live) : LivePassword(passwordSetAt),
            MfaEvidence.Live(devices),
            tags ?? NoTags);

    /// <summary>A live user with a console password set 30 days ago and no MFA device: NON_COMPLIANT unless exempt.</summary>
    public static UserCredentialState PasswordWithoutMfa(IamUser? user = null, IReadOnlyDictionary<string, string>? tags = null) =>
        LiveState(user ?? User("alice"), Now.AddDays(-30), [], tags ?? NoTags);

    public static RuleParameters Parameters(string json) => RuleParameters.ParseJson(json);

    // The credential report.

    /// <summary>samples/credential-report.csv in the repository (the CLI's offline demo input).</summary>
    public static string SampleReportPath { get; } = Path.Combine(RepositoryRoot(), "samples", "credential-report.csv");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MfaConfigRule.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no MfaConfigRule.sln above {AppContext.BaseDirectory}");
    }

    public const string ReportHeader =
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
        "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
        "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
        "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    public const string RootRow =
        "<root_account>,arn:aws:iam::123456789012:root,2019-03-04T09:12:44+00:00,not_supported,2026-10-02T17:20:11+00:00,not_supported,not_supported,true," +
        "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

    /// <summary>One report row: 22 columns, as IAM writes them.</summary>
    public static string ReportRow(string name, bool password, bool mfa, string path = "/", DateTimeOffset? created = null, DateTimeOffset? passwordChanged = null) =>
        string.Join(',',
            name, UserArn(name, path), Iso(created ?? CreatedAt(name)),
            password ? "true" : "false",
            password ? "no_information" : "N/A",
            password ? Iso(passwordChanged ?? Now.AddDays(-30)) : "N/A",
            "N/A",
            mfa ? "true" : "false",
            "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A");

    public static string ReportCsv(params string[] rows) => string.Join('\n', [ReportHeader, RootRow, .. rows]) + "\n";

    public static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    // CloudTrail.
    public static CloudTrailEvent TrailEvent(string eventName, string userName, DateTimeOffset at)
    {
        var record = new JsonObject
        {
            ["eventVersion"] = "1.08",
            ["eventTime"] = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["eventSource"] = "iam.amazonaws.com",
            ["eventName"] = eventName,
            ["awsRegion"] = "us-east-1",
            ["requestParameters"] = new JsonObject { ["userName"] = userName },
        };
        return new CloudTrailEvent(
            Guid.NewGuid().ToString(), eventName, at, "iam.amazonaws.com", [userName], record.ToJsonString());
    }

    // Config events (§2.2 of the contract research).
    public static string ScheduledEvent(string? ruleParameters = null, string resultToken = ResultToken, DateTimeOffset? notificationCreationTime = null)
    {
        var invoking = new JsonObject
        {
            ["awsAccountId"] = AccountId,
            ["notificationCreationTime"] = ConfigTime(notificationCreationTime ?? Now),
            ["messageType"] = "ScheduledNotification",
            ["recordVersion"] = "1.0",
        };
        return Envelope(invoking, ruleParameters, resultToken, eventLeftScope: false);
    }

    /// <summary>A ConfigurationItemChangeNotification for an IAM user, the item shaped like AWS's IAM sample and RDK's example CI.</summary>
    public static string ChangeEvent(
        IamUser user,
        string status = "OK",
        IReadOnlyDictionary<string, string>? tags = null,
        bool eventLeftScope = false,
        string resourceType = "AWS::IAM::User",
        string? ruleParameters = null,
        string resultToken = ResultToken,
        DateTimeOffset? captureTime = null,
        DateTimeOffset? notificationCreationTime = null)
    {
        var deleted = status is "ResourceDeleted" or "ResourceDeletedNotRecorded";
        var item = ItemJson(user, status, tags ?? NoTags, resourceType, captureTime ?? Now.AddMinutes(-5), withConfiguration: !deleted);
        var invoking = new JsonObject
        {
            ["configurationItemDiff"] = null,
            ["configurationItem"] = item,
            ["notificationCreationTime"] = ConfigTime(notificationCreationTime ?? Now),
            ["messageType"] = "ConfigurationItemChangeNotification",
            ["recordVersion"] = "1.3",
        };
        return Envelope(invoking, ruleParameters, resultToken, eventLeftScope);
    }

    /// <summary>An OversizedConfigurationItemChangeNotification: only the summary, no configuration.</summary>
    public static string OversizedEvent(IamUser user, string status = "OK", DateTimeOffset? captureTime = null, string? ruleParameters = null)
    {
        var summary = new JsonObject
        {
            ["changeType"] = "UPDATE",
            ["configurationItemVersion"] = "1.2",
            ["configurationItemCaptureTime"] = ConfigTime(captureTime ?? Now.AddMinutes(-5)),
            ["configurationStateId"] = 0,
            ["awsAccountId"] = AccountId,
            ["configurationItemStatus"] = status,
            ["resourceType"] = "AWS::IAM::User",
            ["resourceId"] = user.UserId,
            ["resourceName"] = null,
            ["ARN"] = user.Arn,
            ["awsRegion"] = "global",
            ["availabilityZone"] = "Not Applicable",
            ["configurationStateMd5Hash"] = "8f1ee69b287895a0f8bc5753eca68e96",
            ["resourceCreationTime"] = ConfigTime(user.CreateDate ?? Now.AddDays(-400)),
        };
        var invoking = new JsonObject
        {
            ["configurationItemSummary"] = summary,
            ["messageType"] = "OversizedConfigurationItemChangeNotification",
            ["notificationCreationTime"] = ConfigTime(Now),
            ["recordVersion"] = "1.0",
        };
        return Envelope(invoking, ruleParameters, ResultToken, eventLeftScope: false);
    }

    /// <summary>The item GetResourceConfigHistory gives for a user, as the Config client maps it.</summary>
    public static ConfigurationItem Item(IamUser user, IReadOnlyDictionary<string, string>? tags = null, string status = "OK", DateTimeOffset? captureTime = null) =>
        new("AWS::IAM::User", user.UserId, user.UserName, user.Arn, status, captureTime ?? Now.AddMinutes(-5),
            ConfigurationJson(user).ToJsonString(), tags ?? NoTags);

    public static string ConfigTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject ItemJson(IamUser user, string status, IReadOnlyDictionary<string, string> tags, string resourceType, DateTimeOffset captureTime, bool withConfiguration)
    {
        var tagMap = new JsonObject();
        foreach (var (key, value) in tags) tagMap[key] = value;
        return new JsonObject
        {
            ["relatedEvents"] = new JsonArray(),
            ["relationships"] = new JsonArray(),
            ["configuration"] = withConfiguration ? ConfigurationJson(user) : null,
            ["supplementaryConfiguration"] = new JsonObject(),
            ["tags"] = tagMap,
            ["configurationItemVersion"] = "1.3",
            ["configurationItemCaptureTime"] = ConfigTime(captureTime),
            ["configurationStateId"] = 1501186055770,
            ["awsAccountId"] = AccountId,
            ["configurationItemStatus"] = status,
            ["resourceType"] = resourceType,
            ["resourceId"] = user.UserId,
            ["resourceName"] = user.UserName,
            ["ARN"] = user.Arn,
            ["awsRegion"] = "global",
            ["availabilityZone"] = "Not Applicable",
            ["configurationStateMd5Hash"] = "4a51983c20f27f28c58011a5547d6cd3",
            ["resourceCreationTime"] = ConfigTime(user.CreateDate ?? Now.AddDays(-400)),
        };
    }

    private static JsonObject ConfigurationJson(IamUser user) => new()
    {
        ["path"] = user.Path,
        ["userName"] = user.UserName,
        ["userId"] = user.UserId,
        ["arn"] = user.Arn,
        ["createDate"] = ConfigTime(user.CreateDate ?? Now.AddDays(-400)),
        ["userPolicyList"] = new JsonArray(),
        ["groupList"] = new JsonArray(),
        ["attachedManagedPolicies"] = new JsonArray(
            new JsonObject { ["policyName"] = "IAMUserChangePassword", ["policyArn"] = "arn:aws:iam::aws:policy/IAMUserChangePassword" }),
    };

    private static string Envelope(JsonObject invoking, string? ruleParameters, string resultToken, bool eventLeftScope)
    {
        var envelope = new JsonObject
        {
            ["version"] = "1.0",
            ["invokingEvent"] = invoking.ToJsonString(),
            ["ruleParameters"] = ruleParameters,
            ["resultToken"] = resultToken,
            ["eventLeftScope"] = eventLeftScope,
            ["executionRoleArn"] = $"arn:aws:iam::{AccountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            ["configRuleArn"] = $"arn:aws:config:us-east-1:{AccountId}:config-rule/config-rule-pdmyw1",
            ["configRuleName"] = RuleName,
            ["configRuleId"] = "config-rule-pdmyw1",
            ["accountId"] = AccountId,
            ["evaluationMode"] = "DETECTIVE",
        };
        if (ruleParameters is null) envelope.Remove("ruleParameters");
        return envelope.ToJsonString();
    }
}
