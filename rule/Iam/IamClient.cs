using System.Globalization;
using System.Text;
using System.Xml.Linq;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>
/// <see cref="IIamClient"/> over the IAM Query API (version 2010-05-08). List operations follow <c>Marker</c> while
/// <c>IsTruncated</c> is true; IAM may return short pages even when more results exist, so only that flag ends a list.
/// </summary>
internal sealed partial class IamClient : IIamClient
{
    public const string ApiVersion = "2010-05-08";
    public const string NoSuchEntity = "NoSuchEntity";

    // The largest page IAM allows: an account of 5,000 users lists in 5 calls rather than 50.
    private const string LargestPage = "1000";

    private readonly QueryProtocolClient _query;

    public IamClient(QueryProtocolClient query)
    {
        ArgumentNullException.ThrowIfNull(query);
        _query = query;
    }

    public Task<IReadOnlyList<IamUser>> ListUsersAsync(CancellationToken cancellationToken) =>
        ListAllAsync("ListUsers", "Users", [new("MaxItems", LargestPage)], ReadUser, cancellationToken);

    public async Task<IamUser?> GetUserAsync(string userName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        try
        {
            return await _query.InvokeAsync("GetUser", [new("UserName", userName)],
                result => ReadUser(result.Child("User") ?? throw new FormatException("<GetUserResult> lacks <User>")), cancellationToken);
        }
        catch (AwsServiceException e) when (e.ErrorCode == NoSuchEntity)
        {
            return null;
        }
    }

    public async Task<LoginProfile?> GetLoginProfileAsync(string userName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        try
        {
            return await _query.InvokeAsync("GetLoginProfile", [new("UserName", userName)], result =>
            {
                var profile = result.Child("LoginProfile") ?? throw new FormatException("<GetLoginProfileResult> lacks <LoginProfile>");
                return new LoginProfile(
                    profile.ChildText("UserName") ?? userName,
                    profile.ChildTime("CreateDate") ?? throw new FormatException("<LoginProfile> lacks <CreateDate>"),
                    profile.ChildBool("PasswordResetRequired"));
            }, cancellationToken);
        }
        catch (AwsServiceException e) when (e.ErrorCode == NoSuchEntity)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<MfaDevice>> ListMfaDevicesAsync(string userName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        return ListAllAsync("ListMFADevices", "MFADevices", [new("UserName", userName)],
            member => new MfaDevice(member.RequiredText("SerialNumber"), member.ChildTime("EnableDate")), cancellationToken);
    }

    public async Task<IReadOnlyList<VirtualMfaAssignment>> ListAssignedVirtualMfaDevicesAsync(CancellationToken cancellationToken)
    {
        var devices = await ListAllAsync<VirtualMfaAssignment?>("ListVirtualMFADevices", "VirtualMFADevices",
            [new("AssignmentStatus", "Assigned"), new("MaxItems", LargestPage)], ReadAssignment, cancellationToken);
        return devices.OfType<VirtualMfaAssignment>().ToList();
    }

    public async Task<IReadOnlyDictionary<string, string>> ListUserTagsAsync(string userName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        var tags = await ListAllAsync("ListUserTags", "Tags", [new("UserName", userName)],
            // Tag keys and values may hold spaces at either end, so they are taken as sent, not trimmed.
            member => new KeyValuePair<string, string>(
                member.Child("Key")?.Value is { Length: > 0 } key ? key : throw new FormatException("a tag lacks <Key>"),
                member.Child("Value")?.Value ?? string.Empty), cancellationToken);
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags) byKey[key] = value;
        return byKey;
    }

    public Task<string> GenerateCredentialReportAsync(CancellationToken cancellationToken) =>
        _query.InvokeAsync("GenerateCredentialReport", [], result => result.RequiredText("State"), cancellationToken);

    public Task<CredentialReportDocument> GetCredentialReportAsync(CancellationToken cancellationToken) =>
        _query.InvokeAsync("GetCredentialReport", [], result =>
        {
            var content = result.RequiredText("Content");
            byte[] csv;
            try
            {
                csv = Convert.FromBase64String(content);
            }
            catch (FormatException e)
            {
                throw new FormatException("<Content> is not Base64", e);
            }
            return new CredentialReportDocument(
                Encoding.UTF8.GetString(csv),
                result.ChildTime("GeneratedTime") ?? throw new FormatException("<GetCredentialReportResult> lacks <GeneratedTime>"));
        }, cancellationToken);

    private static IamUser ReadUser(XElement user)
    {
        var userName = user.RequiredText("UserName");
        var arn = user.RequiredText("Arn");
        return new IamUser(user.RequiredText("UserId"), userName, arn, user.ChildText("Path") ?? IamUser.PathFromArn(arn, userName), user.ChildTime("CreateDate"))
        {
            PasswordLastUsed = user.ChildTime("PasswordLastUsed"),
        };
    }

    /// <summary>
    /// An assigned device names its user; the root user's device names none (its <c>User</c> has the account's ARN and
    /// no <c>UserName</c>). The root user is not an IAM user and Config holds no resource for it, so it is skipped.
    /// </summary>
    private static VirtualMfaAssignment? ReadAssignment(XElement device)
    {
        var user = device.Child("User");
        var userName = user?.ChildText("UserName");
        if (user is null || userName is null) return null;
        return new VirtualMfaAssignment(device.RequiredText("SerialNumber"), userName, user.ChildText("UserId"), device.ChildTime("EnableDate"));
    }

    private async Task<IReadOnlyList<T>> ListAllAsync<T>(
        string action,
        string listName,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        Func<XElement, T> readMember,
        CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? marker = null;
        for (var page = 1; ; page++)
        {
            IEnumerable<KeyValuePair<string, string>> pageParameters = marker is null ? parameters : [.. parameters, new("Marker", marker)];
            var (members, next) = await _query.InvokeAsync(action, pageParameters, result =>
            {
                var members = result.Members(listName).Select(readMember).ToList();
                if (!result.ChildBool("IsTruncated")) return (members, (string?)null);
                var next = result.ChildText("Marker") ?? throw new FormatException("IsTruncated is true but no Marker was given");
                if (next == marker) throw new FormatException($"page {page.ToString(CultureInfo.InvariantCulture)} returned the marker it was given");
                return (members, next);
            }, cancellationToken);
            items.AddRange(members);
            if (next is null) return items;
            marker = next;
        }
    }
}
