using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.Config;
using AwsDouble.Protocol;

namespace AwsDouble.Organizations;

/// <summary>AWS Organizations' JSON 1.1 operations the project calls (target prefix AWSOrganizationsV20161128), signed for us-east-1.</summary>
internal sealed class OrganizationsApi(AwsDoubleState state)
{
    public const string TargetPrefix = "AWSOrganizationsV20161128";
    public const string SigningRegion = "us-east-1";

    public JsonObject Handle(AwsCall call, JsonRequest request)
    {
        var organization = state.Organization;
        if (organization is null || !organization.IsMember(call.Caller.AccountId))
            throw new AwsErrorException(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
        switch (call.Operation)
        {
            case "ListAccounts":
                return ListAccounts(call, request, organization);
            case "DescribeOrganization":
                return new JsonObject
                {
                    ["Organization"] = new JsonObject
                    {
                        ["Id"] = organization.Id,
                        ["Arn"] = $"arn:aws:organizations::{organization.ManagementAccountId}:organization/{organization.Id}",
                        ["FeatureSet"] = "ALL",
                        ["MasterAccountId"] = organization.ManagementAccountId,
                        ["MasterAccountArn"] = organization.AccountArn(organization.ManagementAccountId),
                    },
                };
            default:
                throw new AwsErrorException(400, "UnknownOperationException", string.Empty);
        }
    }

    private static JsonObject ListAccounts(AwsCall call, JsonRequest request, DoubleOrganization organization)
    {
        if (!organization.MayListAccounts(call.Caller.AccountId))
            throw new AwsErrorException(400, "AccessDeniedException", "You don't have permissions to access this resource.");
        var max = request.OptionalInt("MaxResults") ?? 20;
        if (max is < 1 or > 20)
        {
            throw JsonErrors.Validation(string.Create(CultureInfo.InvariantCulture,
                $"1 validation error detected: Value '{max}' at 'maxResults' failed to satisfy constraint: Member must have value {(max < 1 ? "greater than or equal to 1" : "less than or equal to 20")}"));
        }
        (IReadOnlyList<OrganizationMember> Page, string? Next) page;
        try
        {
            page = Pages.Take(organization.Members, max, request.OptionalString("NextToken"), "accounts");
        }
        catch (AwsErrorException)
        {
            throw new AwsErrorException(400, "InvalidInputException", "The provided token is invalid.");
        }
        var response = new JsonObject
        {
            ["Accounts"] = new JsonArray(page.Page.Select(m => (JsonNode)new JsonObject
            {
                ["Id"] = m.AccountId,
                ["Arn"] = organization.AccountArn(m.AccountId),
                ["Email"] = m.Email,
                ["Name"] = m.Name,
                ["Status"] = m.State,
                ["State"] = m.State,
                ["JoinedMethod"] = m.JoinedMethod,
                ["JoinedTimestamp"] = JsonBody.Time(m.JoinedAt),
            }).ToArray()),
        };
        if (page.Next is not null) response["NextToken"] = page.Next;
        return response;
    }
}
