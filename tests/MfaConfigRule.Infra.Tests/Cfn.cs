using System.Text;
using System.Text.Json;

namespace MfaConfigRule.Infra.Tests;

/// <summary>Reads synthesized CloudFormation: resources by type, and the grants of IAM policies, rendered as text.</summary>
internal static class Cfn
{
    public static IEnumerable<(string LogicalId, JsonElement Resource)> Resources(JsonElement template, string? type = null) =>
        template.GetProperty("Resources").EnumerateObject()
            .Where(r => type is null || r.Value.GetProperty("Type").GetString() == type)
            .Select(r => (r.Name, r.Value));

    public static JsonElement Single(JsonElement template, string type) => Assert.Single(Resources(template, type)).Resource;

    /// <summary>
    /// Every (action, resource) the Allow statements of the policies attached to a role grant, across all of them, each
    /// followed by its statement's conditions if it has any (<c>… when StringEquals aws:ResourceOrgID=${X.Id}</c>).
    /// </summary>
    public static ISet<string> GrantsOfRole(JsonElement template, string roleLogicalId)
    {
        var grants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, policy) in Resources(template, "AWS::IAM::Policy"))
        {
            var properties = policy.GetProperty("Properties");
            var attached = properties.GetProperty("Roles").EnumerateArray()
                .Any(r => r.TryGetProperty("Ref", out var reference) && reference.GetString() == roleLogicalId);
            if (!attached) continue;
            foreach (var statement in Statements(properties.GetProperty("PolicyDocument")))
            {
                Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
                var condition = statement.TryGetProperty("Condition", out var conditions) ? " when " + Conditions(conditions) : string.Empty;
                foreach (var action in Strings(statement.GetProperty("Action")))
                    foreach (var resource in Items(statement.GetProperty("Resource")))
                        grants.Add($"{action} on {Render(resource)}{condition}");
            }
        }
        var role = template.GetProperty("Resources").GetProperty(roleLogicalId).GetProperty("Properties");
        Assert.False(role.TryGetProperty("ManagedPolicyArns", out _), "a function role has managed policies");
        Assert.False(role.TryGetProperty("Policies", out _), "a function role has inline policies outside AWS::IAM::Policy");
        return grants;
    }

    private static string Conditions(JsonElement conditions) =>
        string.Join(" and ", conditions.EnumerateObject().SelectMany(op => op.Value.EnumerateObject()
            .Select(key => $"{op.Name} {key.Name}={string.Join('|', Items(key.Value).Select(Render))}")));

    /// <summary>A policy's statements; a statement chosen by <c>Fn::If</c> counts with both of its branches (AWS::NoValue left out).</summary>
    public static IEnumerable<JsonElement> Statements(JsonElement policyDocument) =>
        Items(policyDocument.GetProperty("Statement")).SelectMany(s => s.TryGetProperty("Fn::If", out var choice)
            ? new[] { choice[1], choice[2] }.Where(branch => !(branch.TryGetProperty("Ref", out var r) && r.GetString() == "AWS::NoValue"))
            : [s]);

    public static IEnumerable<JsonElement> Items(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [value];

    public static IEnumerable<string> Strings(JsonElement value) => Items(value).Select(v => v.GetString()!);

    /// <summary>Renders intrinsics readably: <c>{"Ref":"X"}</c> as <c>${X}</c>, GetAtt as <c>${A.B}</c>, Join by concatenation.</summary>
    public static string Render(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String) return value.GetString()!;
        if (value.TryGetProperty("Ref", out var reference)) return "${" + reference.GetString() + "}";
        if (value.TryGetProperty("Fn::GetAtt", out var getAtt)) return "${" + string.Join('.', Strings(getAtt)) + "}";
        if (value.TryGetProperty("Fn::Join", out var join))
        {
            var separator = join[0].GetString();
            return string.Join(separator, join[1].EnumerateArray().Select(Render));
        }
        return value.GetRawText();
    }

    /// <summary>
    /// Every Allow statement's action anywhere in a template that contains a wildcard, with where it was found: identity
    /// policies, role trust and inline policies, resource policies (bucket, bus), Lambda permissions.
    /// </summary>
    public static IReadOnlyList<string> WildcardAllowActions(JsonElement template)
    {
        var found = new List<string>();
        foreach (var (logicalId, resource) in Resources(template))
        {
            if (resource.GetProperty("Type").GetString() == "AWS::Lambda::Permission")
            {
                var action = resource.GetProperty("Properties").GetProperty("Action").GetString()!;
                if (action.Contains('*', StringComparison.Ordinal)) found.Add($"{logicalId}: {action}");
                continue;
            }
            Walk(resource, logicalId, found);
        }
        return found;
    }

    private static void Walk(JsonElement value, string where, List<string> found)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (value.TryGetProperty("Statement", out var statements))
                {
                    foreach (var statement in Items(statements))
                    {
                        // A Deny can only take access away: the TLS-only bucket policy denies s3:* by design.
                        if (statement.TryGetProperty("Effect", out var effect) && effect.GetString() == "Deny") continue;
                        if (statement.TryGetProperty("NotAction", out _)) found.Add($"{where}: Allow with NotAction");
                        if (statement.TryGetProperty("Action", out var actions))
                            found.AddRange(Strings(actions).Where(a => a.Contains('*', StringComparison.Ordinal)).Select(a => $"{where}: {a}"));
                    }
                }
                foreach (var property in value.EnumerateObject())
                    if (property.Name != "Statement") Walk(property.Value, where, found);
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) Walk(item, where, found);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Whether CloudFormation creates <paramref name="first"/> before it starts <paramref name="then"/>: a path of
    /// DependsOn, Ref or GetAtt edges leads from <paramref name="then"/> to it.
    /// </summary>
    public static bool CreatedBefore(JsonElement template, string first, string then)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([then]);
        while (pending.TryPop(out var current))
        {
            foreach (var next in DirectPrerequisites(template, current))
            {
                if (next == first) return true;
                if (seen.Add(next)) pending.Push(next);
            }
        }
        return false;
    }

    /// <summary>The resources one resource waits for: its DependsOn and every resource its properties Ref or GetAtt.</summary>
    public static ISet<string> DirectPrerequisites(JsonElement template, string logicalId)
    {
        var resources = template.GetProperty("Resources");
        var resource = resources.GetProperty(logicalId);
        var prerequisites = new SortedSet<string>(StringComparer.Ordinal);
        if (resource.TryGetProperty("DependsOn", out var dependsOn)) prerequisites.UnionWith(Strings(dependsOn));
        if (resource.TryGetProperty("Properties", out var properties)) CollectReferences(properties, prerequisites);
        prerequisites.RemoveWhere(id => !resources.TryGetProperty(id, out _));
        return prerequisites;
    }

    private static void CollectReferences(JsonElement value, ISet<string> found)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (property.Name == "Ref" && property.Value.ValueKind == JsonValueKind.String) found.Add(property.Value.GetString()!);
                    else if (property.Name == "Fn::GetAtt") found.Add(property.Value[0].GetString()!);
                    else CollectReferences(property.Value, found);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) CollectReferences(item, found);
                break;
            default:
                break;
        }
    }

    public static string Describe(IEnumerable<string> lines) => new StringBuilder().AppendJoin(Environment.NewLine, lines).ToString();
}
