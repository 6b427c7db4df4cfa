using System.Text.Json.Serialization;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Organization;

/// <summary>An account of the Organization as <c>ListAccounts</c> describes it.</summary>
internal sealed record OrganizationAccount(string Id, string? Name, string State)
{
    public const string Active = "ACTIVE";

    /// <summary>Only active accounts are audited: a suspended or closing account cannot be signed in to.</summary>
    public bool IsActive => State == Active;
}

/// <summary>
/// AWS Organizations over JSON 1.1 (target prefix <c>AWSOrganizationsV20161128</c>, the partition's one control plane).
/// Callable from the management account or a delegated administrator only.
/// </summary>
internal sealed class OrganizationsClient
{
    public const string TargetPrefix = "AWSOrganizationsV20161128";

    // ListAccounts' largest page.
    private const int PageSize = 20;

    private readonly JsonProtocolClient _json;

    public OrganizationsClient(JsonProtocolClient json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _json = json;
    }

    public static OrganizationsClient Over(IAwsConnection aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new OrganizationsClient(new JsonProtocolClient(aws.Transport, AwsService.Organizations, aws.Endpoints.Resolve(AwsService.Organizations), TargetPrefix));
    }

    /// <summary>Every account of the Organization, every state, following NextToken to the end.</summary>
    public async Task<IReadOnlyList<OrganizationAccount>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        const string operation = "ListAccounts";
        var accounts = new List<OrganizationAccount>();
        string? nextToken = null;
        do
        {
            var page = await _json.InvokeAsync(operation, new ListAccountsRequest(PageSize, nextToken),
                OrganizationsJsonContext.Default.ListAccountsRequest, OrganizationsJsonContext.Default.ListAccountsResponse, cancellationToken).ConfigureAwait(false);
            foreach (var account in page.Accounts ?? [])
            {
                if (account.Id is not { Length: > 0 } id) throw _json.MalformedResponse(operation, "an account has no Id");
                // State replaced the deprecated Status in 2025; either names ACTIVE the same way.
                accounts.Add(new OrganizationAccount(id, account.Name, account.State ?? account.Status ?? "UNKNOWN"));
            }
            nextToken = _json.NextPageToken(operation, nextToken, page.NextToken);
        }
        while (nextToken is not null);
        return accounts;
    }
}

internal sealed record ListAccountsRequest(int MaxResults, string? NextToken);

internal sealed record ListAccountsResponse(IReadOnlyList<WireAccount>? Accounts, string? NextToken);

internal sealed record WireAccount(string? Id, string? Name, string? Status, string? State);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ListAccountsRequest))]
[JsonSerializable(typeof(ListAccountsResponse))]
internal sealed partial class OrganizationsJsonContext : JsonSerializerContext;
