using MfaConfigRule.Organization;
using MfaConfigRule.Tests.Aws;

namespace MfaConfigRule.Tests.Organization;

public sealed class OrganizationsClientTests
{
    [Fact]
    public async Task ListAccounts_TwoPages_ReturnsEveryAccountWithItsState()
    {
        using var aws = new AwsTestContext(region: "eu-west-1");
        aws.Handler
            .RespondJson("""{"Accounts":[{"Id":"111111111111","Arn":"arn:aws:organizations::111111111111:account/o-exampleorgid/111111111111","Name":"management","Email":"m@example.com","Status":"ACTIVE","JoinedMethod":"CREATED","JoinedTimestamp":1.4813958E9}],"NextToken":"page-2"}""")
            .RespondJson("""{"Accounts":[{"Id":"222222222222","Name":"gone","Status":"SUSPENDED","State":"SUSPENDED"},{"Id":"333333333333","Name":"new","State":"ACTIVE"}]}""");

        var accounts = await OrganizationsClient.Over(aws.Clients).ListAccountsAsync(CancellationToken.None);

        Assert.Equal([("111111111111", true), ("222222222222", false), ("333333333333", true)], accounts.Select(a => (a.Id, a.IsActive)));
        var first = aws.Handler.Requests[0];
        Assert.Equal(new Uri("https://organizations.us-east-1.amazonaws.com/"), first.Uri);
        Assert.Contains("/us-east-1/organizations/aws4_request", first.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal("AWSOrganizationsV20161128.ListAccounts", first.Header("X-Amz-Target"));
        Assert.Equal("""{"MaxResults":20}""", first.BodyText);
        Assert.Equal("page-2", aws.Handler.Requests[1].Json.GetProperty("NextToken").GetString());
    }

    [Fact]
    public async Task OrganizationMembers_AccountThatJustJoined_IsFoundByALookupAfterAMinute()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondJson("""{"Accounts":[{"Id":"111111111111","State":"ACTIVE"}]}""")
            .RespondJson("""{"Accounts":[{"Id":"111111111111","State":"ACTIVE"},{"Id":"444444444444","State":"ACTIVE"}]}""");
        using var members = new OrganizationMembers(OrganizationsClient.Over(aws.Clients), aws.Time);

        Assert.True(await members.ContainsAsync("111111111111", CancellationToken.None));
        Assert.False(await members.ContainsAsync("444444444444", CancellationToken.None));
        aws.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await members.ContainsAsync("444444444444", CancellationToken.None));
        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task OrganizationMembers_AccountThatLeft_IsRefusedOnceTheListIsFifteenMinutesOld()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondJson("""{"Accounts":[{"Id":"111111111111","State":"ACTIVE"},{"Id":"444444444444","State":"ACTIVE"}]}""")
            .RespondJson("""{"Accounts":[{"Id":"111111111111","State":"ACTIVE"}]}""");
        using var members = new OrganizationMembers(OrganizationsClient.Over(aws.Clients), aws.Time);

        Assert.True(await members.ContainsAsync("444444444444", CancellationToken.None));
        aws.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.True(await members.ContainsAsync("444444444444", CancellationToken.None));
        aws.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await members.ContainsAsync("444444444444", CancellationToken.None));
    }

    [Fact]
    public async Task OrganizationMembers_SuspendedAccount_IsNotAMember()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"Accounts":[{"Id":"222222222222","State":"SUSPENDED"}]}""");
        using var members = new OrganizationMembers(OrganizationsClient.Over(aws.Clients), aws.Time);

        Assert.False(await members.ContainsAsync("222222222222", CancellationToken.None));
    }
}
