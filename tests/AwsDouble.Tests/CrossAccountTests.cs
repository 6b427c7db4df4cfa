using System.Net;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using AwsDouble.Auth;
using AwsDouble.Organizations;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>STS AssumeRole across accounts as IAM decides it (the role's trust policy), and the Organization's accounts.</summary>
public sealed class CrossAccountTests : DoubleTest
{
    private const string MemberId = "222222222222";

    private DoubleAccount Hub => Account;

    private static string Trust(string principal, string? condition = null) => $$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principal}}"},"Action":"sts:AssumeRole"{{(condition is null ? string.Empty : ",\"Condition\":" + condition)}}}]}
        """;

    /// <summary>The hub's function role, as a session the hub's root assumed: the principal that assumes member roles.</summary>
    private async Task<AwsClient> HubFunctionAsync()
    {
        Hub.AddRole("hub-evaluate");
        var session = await Aws.StsAsync("AssumeRole", ("RoleArn", $"arn:aws:iam::{Hub.AccountId}:role/hub-evaluate"), ("RoleSessionName", "fn"));
        return new AwsClient(Server.BaseUrl, new SessionAWSCredentials(session.Value("AccessKeyId"), session.Value("SecretAccessKey"), session.Value("SessionToken")));
    }

    [Fact]
    public async Task AssumeRole_TrustNamingTheCallersRole_IsAllowed()
    {
        var member = Server.State.AddAccount(MemberId);
        var roleArn = member.AddRole("MfaRuleMember", Trust($"arn:aws:iam::{Hub.AccountId}:role/hub-evaluate"));
        using var function = await HubFunctionAsync();

        var assumed = await function.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "mfa-config-rule"));

        Assert.Equal(HttpStatusCode.OK, assumed.Status);
        Assert.Equal($"arn:aws:sts::{MemberId}:assumed-role/MfaRuleMember/mfa-config-rule", assumed.Value("Arn"));
    }

    [Fact]
    public async Task AssumeRole_TrustNamingAnotherRole_IsAccessDeniedNamingCallerAndRole()
    {
        var member = Server.State.AddAccount(MemberId);
        var roleArn = member.AddRole("MfaRuleMember", Trust($"arn:aws:iam::{Hub.AccountId}:role/someone-else"));
        using var function = await HubFunctionAsync();

        var refused = await function.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "mfa-config-rule"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Equal($"User: arn:aws:sts::{Hub.AccountId}:assumed-role/hub-evaluate/fn is not authorized to perform: sts:AssumeRole on resource: {roleArn}",
            refused.Value("Message"));
    }

    [Fact]
    public async Task AssumeRole_ExternalIdCondition_NeedsTheExactId()
    {
        var member = Server.State.AddAccount(MemberId);
        var roleArn = member.AddRole("MfaRuleMember", Trust(Hub.AccountId, """{"StringEquals":{"sts:ExternalId":"mfa-rule-o-abc"}}"""));

        var without = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"));
        var wrong = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"), ("ExternalId", "mfa-rule-o-xyz"));
        var right = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"), ("ExternalId", "mfa-rule-o-abc"));

        Assert.Equal(("AccessDenied", "AccessDenied", HttpStatusCode.OK), (without.ErrorCode, wrong.ErrorCode, right.Status));
    }

    [Fact]
    public async Task AssumeRole_PrincipalOrgIdCondition_AdmitsOnlyCallersInTheOrganization()
    {
        var organization = Server.State.CreateOrganization(Hub);
        var member = Server.State.AddAccount(MemberId);
        organization.Join(member);
        var outsider = Server.State.AddAccount("999999999999");
        var roleArn = member.AddRole("MfaRuleMember", Trust("*", $$$"""{"StringEquals":{"aws:PrincipalOrgID":"{{{organization.Id}}}"}}"""));
        using var fromOutside = AwsClient.For(Server, outsider.RootCredentials);

        var inside = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"));
        var outside = await fromOutside.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"));

        Assert.Equal(HttpStatusCode.OK, inside.Status);
        Assert.Equal("AccessDenied", outside.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_ExplicitDeny_WinsOverAnAllow()
    {
        var member = Server.State.AddAccount(MemberId);
        var roleArn = member.AddRole("MfaRuleMember", $$$"""
            {"Statement":[{"Effect":"Allow","Principal":{"AWS":"{{{Hub.AccountId}}}"},"Action":"sts:AssumeRole"},
                          {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"sts:ExternalId":"x-123"} } }]}
            """);

        var denied = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"));
        var allowed = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"), ("ExternalId", "x-123"));

        Assert.Equal(("AccessDenied", HttpStatusCode.OK), (denied.ErrorCode, allowed.Status));
    }

    [Fact]
    public async Task AssumeRole_DeletedRole_IsAccessDeniedButItsSessionLastsUntilExpiry()
    {
        var member = Server.State.AddAccount(MemberId);
        var roleArn = member.AddRole("MfaRuleMember", Trust(Hub.AccountId));
        var session = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"), ("DurationSeconds", "900"));
        using var asMember = new AwsClient(Server.BaseUrl, new SessionAWSCredentials(session.Value("AccessKeyId"), session.Value("SecretAccessKey"), session.Value("SessionToken")));

        member.DeleteRole("MfaRuleMember");
        var again = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"));
        var stillValid = await asMember.IamAsync("ListUsers");
        Clock.Advance(TimeSpan.FromSeconds(900));
        var expired = await asMember.IamAsync("ListUsers");

        Assert.Equal("AccessDenied", again.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, stillValid.Status);
        Assert.Equal("ExpiredToken", expired.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_BadExternalId_IsValidationError()
    {
        var roleArn = Hub.AddRole("r");

        var answer = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"), ("ExternalId", "a b"));

        Assert.Equal((HttpStatusCode.BadRequest, "ValidationError"), (answer.Status, answer.ErrorCode));
    }

    [Fact]
    public async Task SessionInAMember_ReadsAndWritesThatMembersStateOnly()
    {
        var member = Server.State.AddAccount(MemberId);
        member.SeedUsers([new Iam.UserSeed("member-user")]);
        Hub.SeedUsers([new Iam.UserSeed("hub-user")]);
        var roleArn = member.AddRole("MfaRuleMember", Trust(Hub.AccountId));
        var session = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "s1"));
        using var asMember = new AwsClient(Server.BaseUrl, new SessionAWSCredentials(session.Value("AccessKeyId"), session.Value("SecretAccessKey"), session.Value("SessionToken")));
        member.Config("eu-west-1").PutCustomLambdaRule("mfa");

        var users = await asMember.IamAsync("ListUsers");
        var rules = await asMember.ConfigAsync("DescribeConfigRules", [], "eu-west-1");

        Assert.Equal(["member-user"], users.All("UserName").Select(e => e.Value));
        Assert.Equal("mfa", rules.Body["ConfigRules"]![0]!["ConfigRuleName"]!.GetValue<string>());
        Assert.Empty(Hub.Config("eu-west-1").DescribeRules(null));
    }

    [Fact]
    public async Task ListAccounts_FromTheManagementAccount_PagesThroughEveryMemberWithItsState()
    {
        var organization = Server.State.CreateOrganization(Hub);
        foreach (var i in Enumerable.Range(1, 24)) organization.Join(Server.State.AddAccount($"2000000000{i:00}"));
        organization.SetState("200000000003", DoubleOrganization.Suspended);

        var first = await Aws.JsonAsync("organizations", "us-east-1", "AWSOrganizationsV20161128.ListAccounts", []);
        var second = await Aws.JsonAsync("organizations", "us-east-1", "AWSOrganizationsV20161128.ListAccounts",
            new JsonObject { ["NextToken"] = first.Body["NextToken"]!.GetValue<string>() });

        var accounts = first.Body["Accounts"]!.AsArray().Concat(second.Body["Accounts"]!.AsArray()).ToList();
        Assert.Equal(20, first.Body["Accounts"]!.AsArray().Count);
        Assert.Null(second.Body["NextToken"]);
        Assert.Equal(25, accounts.Count);
        Assert.Equal("SUSPENDED", accounts.Single(a => a!["Id"]!.GetValue<string>() == "200000000003")!["State"]!.GetValue<string>());
        Assert.Equal($"arn:aws:organizations::{Hub.AccountId}:account/{organization.Id}/200000000001",
            accounts.Single(a => a!["Id"]!.GetValue<string>() == "200000000001")!["Arn"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListAccounts_FromAMemberThatIsNoDelegatedAdministrator_IsAccessDenied()
    {
        var organization = Server.State.CreateOrganization(Hub);
        var member = Server.State.AddAccount(MemberId);
        organization.Join(member);
        using var asMember = AwsClient.For(Server, member.RootCredentials);

        var refused = await asMember.JsonAsync("organizations", "us-east-1", "AWSOrganizationsV20161128.ListAccounts", []);
        organization.RegisterDelegatedAdministrator(MemberId);
        var allowed = await asMember.JsonAsync("organizations", "us-east-1", "AWSOrganizationsV20161128.ListAccounts", []);

        Assert.Equal("AccessDeniedException", refused.ErrorType);
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
    }

    [Fact]
    public async Task ListAccounts_OutsideAnyOrganization_IsNotInUse()
    {
        var answer = await Aws.JsonAsync("organizations", "us-east-1", "AWSOrganizationsV20161128.ListAccounts", []);

        Assert.Equal("AWSOrganizationsNotInUseException", answer.ErrorType);
    }

    [Fact]
    public async Task ListAccounts_SignedForAnotherRegion_IsRefused()
    {
        Server.State.CreateOrganization(Hub);

        var answer = await Aws.JsonAsync("organizations", "eu-west-1", "AWSOrganizationsV20161128.ListAccounts", []);

        Assert.Equal("InvalidSignatureException", answer.ErrorType);
    }
}
