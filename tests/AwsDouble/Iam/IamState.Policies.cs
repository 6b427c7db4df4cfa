using System.Text.Json.Nodes;
using AwsDouble.CloudTrail;
using AwsDouble.Protocol;

namespace AwsDouble.Iam;

/// <summary>Customer managed policies and their attachments to users.</summary>
internal sealed partial class IamState
{
    // ---- managed policies ----

    public ManagedPolicySnapshot CreatePolicy(AwsCall? call, string policyName, string path, string document)
    {
        if (policyName.Length is 0 or > 128 || !NamePattern().IsMatch(policyName))
            throw QueryErrors.Validation($"1 validation error detected: Value '{policyName}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
        ValidatePath(path, "path");
        try
        {
            using var parsed = System.Text.Json.JsonDocument.Parse(document);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new AwsErrorException(400, "MalformedPolicyDocument", "Syntax errors in policy.");
        }
        lock (_gate)
        {
            var arn = $"arn:aws:iam::{_accountId}:policy{path}{policyName}";
            if (_policies.ContainsKey(arn)) throw QueryErrors.EntityAlreadyExists($"A policy called {policyName} already exists. Duplicate names are not allowed.");
            var policy = new ManagedPolicyRecord(policyName, NewId("ANPA"), arn, path, document, call?.Now ?? _clock.GetUtcNow());
            _policies.Add(arn, policy);
            if (call is not null)
                _events.RecordIamCall(call, new JsonObject { ["policyName"] = policyName, ["path"] = path }, null, [new CloudTrailResource("AWS::IAM::Policy", arn)]);
            return PolicySnapshot(policy);
        }
    }

    public IReadOnlyList<ManagedPolicySnapshot> Policies()
    {
        lock (_gate) return _policies.Values.Select(PolicySnapshot).ToList();
    }

    public void AttachUserPolicy(AwsCall call, string userName, string policyArn)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (!PolicyExists(policyArn)) throw QueryErrors.NoSuchEntity($"Policy {policyArn} does not exist or is not attachable.");
            // Attaching a policy that is already attached succeeds and changes nothing.
            if (user.AttachedPolicies.Contains(policyArn, StringComparer.Ordinal)) return;
            if (user.AttachedPolicies.Count >= ManagedPoliciesPerUser)
                throw QueryErrors.LimitExceeded($"Cannot exceed quota for PoliciesPerUser: {ManagedPoliciesPerUser}");
            user.AttachedPolicies.Add(policyArn);
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["policyArn"] = policyArn }, null, UserResource(user.UserName));
            _configItems.RecordUser(Snapshot(user), "OK", call.Now);
        }
    }

    public void DetachUserPolicy(AwsCall call, string userName, string policyArn)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (!user.AttachedPolicies.Remove(policyArn)) throw QueryErrors.NoSuchEntity($"Policy {policyArn} was not found.");
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["policyArn"] = policyArn }, null, UserResource(user.UserName));
            _configItems.RecordUser(Snapshot(user), "OK", call.Now);
        }
    }

    public (IReadOnlyList<(string PolicyName, string PolicyArn)> Policies, string? Marker) ListAttachedUserPolicies(string userName, string? pathPrefix, string? marker, int maxItems)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            var attached = user.AttachedPolicies
                .Select(arn => (Name: arn[(arn.LastIndexOf('/') + 1)..], Arn: arn))
                .Where(p => pathPrefix is null || PolicyPath(p.Arn).StartsWith(pathPrefix, StringComparison.Ordinal))
                .OrderBy(p => p.Arn, StringComparer.Ordinal);
            var (page, next) = Page(attached, p => p.Arn, marker, maxItems);
            return (page.Select(p => (p.Name, p.Arn)).ToList(), next);
        }
    }

    public (IReadOnlyList<IamUserSnapshot> Users, string? Marker) ListEntitiesForPolicy(string policyArn, string? entityFilter, string? marker, int maxItems)
    {
        if (entityFilter is not (null or "User" or "Role" or "Group" or "LocalManagedPolicy" or "AWSManagedPolicy"))
            throw QueryErrors.Validation($"1 validation error detected: Value '{entityFilter}' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [LocalManagedPolicy, Group, AWSManagedPolicy, User, Role]");
        lock (_gate)
        {
            if (!PolicyExists(policyArn)) throw QueryErrors.NoSuchEntity($"Policy {policyArn} does not exist or is not attachable.");
            if (entityFilter is "Role" or "Group") return ([], null);
            var users = _users.Values.Where(u => u.AttachedPolicies.Contains(policyArn, StringComparer.Ordinal));
            var (page, next) = Page(users, u => u.UserName, marker, maxItems);
            return (page.Select(Snapshot).ToList(), next);
        }
    }

    private bool PolicyExists(string policyArn) =>
        _policies.ContainsKey(policyArn) || policyArn.StartsWith("arn:aws:iam::aws:policy/", StringComparison.Ordinal);

    private static string PolicyPath(string arn)
    {
        var resource = arn[(arn.IndexOf(":policy", StringComparison.Ordinal) + ":policy".Length)..];
        return resource[..(resource.LastIndexOf('/') + 1)];
    }

    private ManagedPolicySnapshot PolicySnapshot(ManagedPolicyRecord policy) => new(
        policy.PolicyName, policy.PolicyId, policy.Arn, policy.Path, policy.Document, policy.CreateDate,
        _users.Values.Count(u => u.AttachedPolicies.Contains(policy.Arn, StringComparer.Ordinal)));

    private sealed record ManagedPolicyRecord(string PolicyName, string PolicyId, string Arn, string Path, string Document, DateTimeOffset CreateDate);
}
