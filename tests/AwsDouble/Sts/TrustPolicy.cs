using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AwsDouble.Auth;

namespace AwsDouble.Sts;

/// <summary>What an AssumeRole request brings to the role's trust policy: who asks, and the context keys AWS sets.</summary>
internal sealed record AssumeRoleContext(Principal Caller, string CallerIdentityArn, string? ExternalId, string? PrincipalOrgId)
{
    /// <summary>The context key's value, or null when the request does not carry it (then a condition on it fails).</summary>
    public string? Value(string key) => key.ToLowerInvariant() switch
    {
        "sts:externalid" => ExternalId,
        "aws:principalorgid" => PrincipalOrgId,
        "aws:principalaccount" => Caller.AccountId,
        "aws:principalarn" => CallerIdentityArn,
        _ => null,
    };
}

/// <summary>
/// A role's trust policy (its AssumeRolePolicyDocument) as IAM evaluates it for <c>sts:AssumeRole</c>: an explicit Deny
/// wins, else some Allow must match the principal, the action and every condition. Principals: <c>*</c>, an account
/// (<c>111122223333</c> or <c>arn:aws:iam::111122223333:root</c>: any principal of that account), or the exact role or
/// user ARN. Conditions: StringEquals, StringNotEquals, StringLike, ArnEquals, ArnLike over <c>sts:ExternalId</c>,
/// <c>aws:PrincipalOrgID</c>, <c>aws:PrincipalAccount</c>, <c>aws:PrincipalArn</c>; an operator or key the double does not
/// know never matches, so a policy it cannot read denies.
/// </summary>
internal sealed class TrustPolicy
{
    private readonly JsonArray _statements;

    private TrustPolicy(string document, JsonArray statements)
    {
        Document = document;
        _statements = statements;
    }

    public string Document { get; }

    public static TrustPolicy Parse(string document)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(document);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the trust policy is not JSON: {e.Message}", nameof(document));
        }
        var statements = root?["Statement"] switch
        {
            JsonArray array => array,
            JsonObject single => new JsonArray(single.DeepClone()),
            _ => throw new ArgumentException("the trust policy has no Statement", nameof(document)),
        };
        return new TrustPolicy(document, statements);
    }

    /// <summary>The default trust of a role made without one: any principal of its own account.</summary>
    public static TrustPolicy SameAccount(string accountId) => Parse($$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{accountId}}:root"},"Action":"sts:AssumeRole"}]}
        """);

    public bool Allows(AssumeRoleContext context)
    {
        var allowed = false;
        foreach (var statement in _statements.OfType<JsonObject>())
        {
            if (!Matches(statement, context)) continue;
            if (Text(statement["Effect"]) == "Deny") return false;
            if (Text(statement["Effect"]) == "Allow") allowed = true;
        }
        return allowed;
    }

    private static bool Matches(JsonObject statement, AssumeRoleContext context) =>
        Values(statement["Action"]).Any(a => a is "*" or "sts:*" || a.Equals("sts:AssumeRole", StringComparison.OrdinalIgnoreCase))
        && PrincipalMatches(statement["Principal"], context)
        && (statement["Condition"] is not JsonObject conditions || conditions.All(c => ConditionHolds(c.Key, c.Value as JsonObject, context)));

    private static bool PrincipalMatches(JsonNode? principal, AssumeRoleContext context)
    {
        if (Text(principal) == "*") return true;
        if (principal is not JsonObject kinds) return false;
        return Values(kinds["AWS"]).Any(p =>
            p == "*"
            || p == context.Caller.AccountId
            || p == $"arn:aws:iam::{context.Caller.AccountId}:root"
            || p == context.CallerIdentityArn
            || p == context.Caller.Arn);
    }

    private static bool ConditionHolds(string op, JsonObject? keys, AssumeRoleContext context)
    {
        if (keys is null) return false;
        foreach (var (key, node) in keys)
        {
            var actual = context.Value(key);
            var expected = Values(node).ToList();
            var holds = op switch
            {
                "StringEquals" or "ArnEquals" => actual is not null && expected.Contains(actual, StringComparer.Ordinal),
                "StringNotEquals" => actual is null || !expected.Contains(actual, StringComparer.Ordinal),
                "StringLike" or "ArnLike" => actual is not null && expected.Any(pattern => Like(pattern, actual)),
                _ => false,
            };
            if (!holds) return false;
        }
        return true;
    }

    private static bool Like(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static IEnumerable<string> Values(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(Text).OfType<string>(),
        JsonValue => Text(node) is { } one ? [one] : [],
        _ => [],
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
