using System.Text;
using System.Xml;
using AwsDouble.Auth;
using AwsDouble.Protocol;

namespace AwsDouble.Iam;

/// <summary>IAM's Query-protocol operations: parameters in, the <c>…Result</c> element's content out.</summary>
internal sealed class IamApi(AwsDoubleState state)
{
    /// <summary>A 1x1 PNG: the QR code IAM returns is only ever saved to a file by clients.</summary>
    private const string QrCodePng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==";

    public Action<XmlWriter>? Handle(AwsCall call, QueryParameters p)
    {
        var iam = state.Account(call.Caller.AccountId).Iam;
        switch (call.Operation)
        {
            case "ListUsers":
            {
                var (users, marker) = iam.ListUsers(p.Optional("PathPrefix"), p.Optional("Marker"), MaxItems(p));
                return w =>
                {
                    w.Members("Users", users, (x, u) => WriteUserFields(x, u, withTags: false));
                    WritePaging(w, marker);
                };
            }
            case "GetUser":
            {
                var name = p.Optional("UserName");
                if (name is null && call.Caller.Kind == PrincipalKind.Root)
                {
                    var account = state.Account(call.Caller.AccountId);
                    return w =>
                    {
                        w.WriteStartElement("User");
                        w.Element("UserId", call.Caller.AccountId);
                        w.Element("Arn", call.Caller.Arn);
                        w.Element("CreateDate", account.Iam.AccountCreated);
                        w.WriteEndElement();
                    };
                }
                var user = iam.GetUser(name ?? CallerUserName(call));
                return w => WriteUser(w, user, withTags: true);
            }
            case "CreateUser":
            {
                var user = iam.CreateUser(call, p.Required("UserName"), p.Optional("Path") ?? "/", p.Tags(), p.Optional("PermissionsBoundary"));
                return w => WriteUser(w, user, withTags: true);
            }
            case "DeleteUser":
                iam.DeleteUser(call, p.Required("UserName"));
                return null;
            case "UpdateUser":
                iam.UpdateUser(call, p.Required("UserName"), p.Optional("NewUserName"), p.Optional("NewPath"));
                return null;
            case "GetLoginProfile":
            {
                var (userName, profile) = iam.GetLoginProfile(p.Optional("UserName") ?? CallerUserName(call));
                return w => WriteLoginProfile(w, userName, profile);
            }
            case "CreateLoginProfile":
            {
                var (userName, profile) = iam.CreateLoginProfile(call, p.Optional("UserName") ?? CallerUserName(call),
                    p.Required("Password"), p.Bool("PasswordResetRequired") ?? false);
                return w => WriteLoginProfile(w, userName, profile);
            }
            case "UpdateLoginProfile":
                iam.UpdateLoginProfile(call, p.Required("UserName"), p.Optional("Password"), p.Bool("PasswordResetRequired"));
                return null;
            case "DeleteLoginProfile":
                iam.DeleteLoginProfile(call, p.Optional("UserName") ?? CallerUserName(call));
                return null;
            case "ListMFADevices":
            {
                var name = p.Optional("UserName");
                if (name is null && call.Caller.Kind == PrincipalKind.Root)
                    return w => { w.Members<int>("MFADevices", [], (_, _) => { }); WritePaging(w, null); };
                var (devices, marker) = iam.ListMfaDevices(name ?? CallerUserName(call), p.Optional("Marker"), MaxItems(p));
                return w =>
                {
                    w.Members("MFADevices", devices, (x, d) =>
                    {
                        x.Element("UserName", d.UserName);
                        x.Element("SerialNumber", d.Device.SerialNumber);
                        x.Element("EnableDate", d.Device.EnableDate);
                    });
                    WritePaging(w, marker);
                };
            }
            case "ListVirtualMFADevices":
            {
                var status = p.Optional("AssignmentStatus") ?? "Any";
                if (status is not ("Assigned" or "Unassigned" or "Any"))
                {
                    throw QueryErrors.Validation(
                        $"1 validation error detected: Value '{status}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]");
                }
                var (devices, marker) = iam.ListVirtualMfaDevices(status, p.Optional("Marker"), MaxItems(p));
                return w =>
                {
                    w.Members("VirtualMFADevices", devices, (x, d) =>
                    {
                        x.Element("SerialNumber", d.Device.SerialNumber);
                        if (d.User is not null) WriteUser(x, d.User, withTags: false);
                        if (d.Device.EnableDate is { } enabled) x.Element("EnableDate", enabled);
                    });
                    WritePaging(w, marker);
                };
            }
            case "CreateVirtualMFADevice":
            {
                var device = iam.CreateVirtualMfaDevice(call, p.Required("VirtualMFADeviceName"), p.Optional("Path") ?? "/", p.Tags());
                return w =>
                {
                    w.WriteStartElement("VirtualMFADevice");
                    w.Element("SerialNumber", device.SerialNumber);
                    w.Element("Base32StringSeed", Convert.ToBase64String(Encoding.ASCII.GetBytes(device.Base32Seed)));
                    w.Element("QRCodePNG", QrCodePng);
                    w.WriteEndElement();
                };
            }
            case "EnableMFADevice":
                iam.EnableMfaDevice(call, p.Required("UserName"), p.Required("SerialNumber"),
                    p.Required("AuthenticationCode1"), p.Required("AuthenticationCode2"));
                return null;
            case "DeactivateMFADevice":
                iam.DeactivateMfaDevice(call, p.Optional("UserName"), p.Required("SerialNumber"));
                return null;
            case "DeleteVirtualMFADevice":
                iam.DeleteVirtualMfaDevice(call, p.Required("SerialNumber"));
                return null;
            case "CreatePolicy":
            {
                var policy = iam.CreatePolicy(call, p.Required("PolicyName"), p.Optional("Path") ?? "/", p.Required("PolicyDocument"));
                return w =>
                {
                    w.WriteStartElement("Policy");
                    w.Element("PolicyName", policy.PolicyName);
                    w.Element("DefaultVersionId", "v1");
                    w.Element("PolicyId", policy.PolicyId);
                    w.Element("Path", policy.Path);
                    w.Element("Arn", policy.Arn);
                    w.Element("AttachmentCount", policy.AttachmentCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.Element("CreateDate", policy.CreateDate);
                    w.Element("UpdateDate", policy.CreateDate);
                    w.Element("IsAttachable", true);
                    w.WriteEndElement();
                };
            }
            case "AttachUserPolicy":
                iam.AttachUserPolicy(call, p.Required("UserName"), p.Required("PolicyArn"));
                return null;
            case "DetachUserPolicy":
                iam.DetachUserPolicy(call, p.Required("UserName"), p.Required("PolicyArn"));
                return null;
            case "ListAttachedUserPolicies":
            {
                var (policies, marker) = iam.ListAttachedUserPolicies(p.Required("UserName"), p.Optional("PathPrefix"), p.Optional("Marker"), MaxItems(p));
                return w =>
                {
                    w.Members("AttachedPolicies", policies, (x, a) =>
                    {
                        x.Element("PolicyName", a.PolicyName);
                        x.Element("PolicyArn", a.PolicyArn);
                    });
                    WritePaging(w, marker);
                };
            }
            case "ListEntitiesForPolicy":
            {
                var (users, marker) = iam.ListEntitiesForPolicy(p.Required("PolicyArn"), p.Optional("EntityFilter"), p.Optional("Marker"), MaxItems(p));
                return w =>
                {
                    w.Members<int>("PolicyGroups", [], (_, _) => { });
                    w.Members("PolicyUsers", users, (x, u) =>
                    {
                        x.Element("UserName", u.UserName);
                        x.Element("UserId", u.UserId);
                    });
                    w.Members<int>("PolicyRoles", [], (_, _) => { });
                    WritePaging(w, marker);
                };
            }
            case "ListUserTags":
            {
                var (tags, marker) = iam.ListUserTags(p.Required("UserName"), p.Optional("Marker"), MaxItems(p));
                return w =>
                {
                    WriteTags(w, tags);
                    WritePaging(w, marker);
                };
            }
            case "TagUser":
                iam.TagUser(call, p.Required("UserName"), p.Tags());
                return null;
            case "UntagUser":
                iam.UntagUser(call, p.Required("UserName"), p.List("TagKeys"));
                return null;
            case "GenerateCredentialReport":
            {
                var generation = iam.GenerateCredentialReport(call.Now);
                return w =>
                {
                    w.Element("State", generation.State);
                    if (generation.Description is not null) w.Element("Description", generation.Description);
                };
            }
            case "GetCredentialReport":
            {
                var (csv, generated) = iam.GetCredentialReport(call.Now);
                return w =>
                {
                    w.Element("Content", Convert.ToBase64String(Encoding.UTF8.GetBytes(csv)));
                    w.Element("ReportFormat", "text/csv");
                    w.Element("GeneratedTime", generated);
                };
            }
            default:
                throw new AwsErrorException(400, "InvalidAction", $"Could not find operation {call.Operation} for version 2010-05-08");
        }
    }

    private static int MaxItems(QueryParameters p) => p.Int("MaxItems", 1, 1000) ?? 100;

    private static string CallerUserName(AwsCall call) => call.Caller.Kind == PrincipalKind.User
        ? call.Caller.DisplayName
        : throw QueryErrors.Validation("Must specify userName when calling with non-User credentials");

    private static void WritePaging(XmlWriter w, string? marker)
    {
        w.Element("IsTruncated", marker is not null);
        if (marker is not null) w.Element("Marker", marker);
    }

    private static void WriteUser(XmlWriter w, IamUserSnapshot user, bool withTags)
    {
        w.WriteStartElement("User");
        WriteUserFields(w, user, withTags);
        w.WriteEndElement();
    }

    private static void WriteUserFields(XmlWriter w, IamUserSnapshot user, bool withTags)
    {
        w.Element("Path", user.Path);
        w.Element("UserName", user.UserName);
        w.Element("UserId", user.UserId);
        w.Element("Arn", user.Arn);
        w.Element("CreateDate", user.CreateDate);
        if (user.PasswordLastUsed is { } used) w.Element("PasswordLastUsed", used);
        if (withTags && user.PermissionsBoundaryArn is { } boundary)
        {
            w.WriteStartElement("PermissionsBoundary");
            w.Element("PermissionsBoundaryType", "PermissionsBoundaryPolicy");
            w.Element("PermissionsBoundaryArn", boundary);
            w.WriteEndElement();
        }
        if (withTags && user.Tags.Count > 0) WriteTags(w, user.Tags);
    }

    private static void WriteTags(XmlWriter w, IReadOnlyList<KeyValuePair<string, string>> tags) =>
        w.Members("Tags", tags, (x, t) =>
        {
            x.Element("Key", t.Key);
            x.Element("Value", t.Value);
        });

    private static void WriteLoginProfile(XmlWriter w, string userName, LoginProfileSnapshot profile)
    {
        w.WriteStartElement("LoginProfile");
        w.Element("UserName", userName);
        w.Element("CreateDate", profile.CreateDate);
        w.Element("PasswordResetRequired", profile.PasswordResetRequired);
        w.WriteEndElement();
    }
}
