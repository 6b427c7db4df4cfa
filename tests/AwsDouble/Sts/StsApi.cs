using System.Xml;
using AwsDouble.Auth;
using AwsDouble.Protocol;

namespace AwsDouble.Sts;

/// <summary>STS: who am I, and temporary credentials for a role (which the double then accepts with their token).</summary>
internal sealed class StsApi(AwsDoubleState state)
{
    public Action<XmlWriter> Handle(AwsCall call, QueryParameters p)
    {
        switch (call.Operation)
        {
            case "GetCallerIdentity":
                return w =>
                {
                    w.Element("Arn", call.Caller.Arn);
                    w.Element("UserId", call.Caller.UserId);
                    w.Element("Account", call.Caller.AccountId);
                };
            case "AssumeRole":
                return AssumeRole(call, p);
            default:
                throw new AwsErrorException(400, "InvalidAction", $"Could not find operation {call.Operation} for version 2011-06-15");
        }
    }

    private Action<XmlWriter> AssumeRole(AwsCall call, QueryParameters p)
    {
        var roleArn = p.Required("RoleArn");
        var sessionName = p.Required("RoleSessionName");
        if (sessionName.Length is < 2 or > 64 || !sessionName.All(c => char.IsAsciiLetterOrDigit(c) || "_+=,.@-".Contains(c, StringComparison.Ordinal)))
        {
            throw QueryErrors.Validation(
                $"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }
        var duration = p.Int("DurationSeconds", 900, 43200) ?? 3600;
        if (duration > 3600)
            throw QueryErrors.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

        var parts = roleArn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].StartsWith("role/", StringComparison.Ordinal))
            throw QueryErrors.Validation($"{roleArn} is invalid");
        var externalId = p.Optional("ExternalId");
        if (externalId is not null && (externalId.Length is < 2 or > 1224
            || !externalId.All(c => char.IsAsciiLetterOrDigit(c) || "_+=,.@:/-".Contains(c, StringComparison.Ordinal))))
        {
            throw QueryErrors.Validation(
                $"1 validation error detected: Value '{externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
        }
        var roleName = parts[5][(parts[5].LastIndexOf('/') + 1)..];
        var account = state.FindAccount(parts[4]);
        var role = account?.Roles.Find(roleName);
        // A missing role and a trust policy that does not admit the caller look the same to the caller, as in AWS.
        var organization = state.Organization;
        var context = new AssumeRoleContext(call.Caller, call.Caller.IdentityArn, externalId,
            organization is not null && organization.IsMember(call.Caller.AccountId) ? organization.Id : null);
        if (account is null || role is not { } found || !found.Trust.Allows(context))
            throw new AwsErrorException(403, "AccessDenied", $"User: {call.Caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        var roleId = found.RoleId;

        var expiration = call.Now.AddSeconds(duration);
        var principal = account.Roles.CreateSession(roleName, roleId, sessionName, expiration);
        return w =>
        {
            w.WriteStartElement("Credentials");
            w.Element("AccessKeyId", principal.AccessKeyId);
            w.Element("SecretAccessKey", principal.SecretAccessKey);
            w.Element("SessionToken", principal.SessionToken!);
            w.Element("Expiration", expiration);
            w.WriteEndElement();
            w.WriteStartElement("AssumedRoleUser");
            w.Element("AssumedRoleId", principal.UserId);
            w.Element("Arn", principal.Arn);
            w.WriteEndElement();
        };
    }
}
