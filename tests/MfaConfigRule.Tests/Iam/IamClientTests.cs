using System.Net;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Iam;
using MfaConfigRule.Tests.Aws;

namespace MfaConfigRule.Tests.Iam;

public sealed class IamClientTests
{
    private static string IamError(string code, string message) =>
        Fixture.Read("Iam/ErrorResponse.xml").Replace("{Code}", code, StringComparison.Ordinal).Replace("{Message}", message, StringComparison.Ordinal);

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ListUsers_ThreePages_FollowsMarkersAndReturnsEveryUser()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondXml(Fixture.Read("Iam/ListUsers.page1.xml"))
            .RespondXml(Fixture.Read("Iam/ListUsers.page2.xml"))
            .RespondXml(Fixture.Read("Iam/ListUsers.page3.xml"));

        var users = await aws.Clients.Iam.ListUsersAsync(CancellationToken.None);

        Assert.Equal(
            [
                new IamUser("AID2MAB8DPLSRHEXAMPLE", "Juan", "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/engineering/Juan",
                    "/division_abc/subdivision_xyz/engineering/", Utc("2012-09-05T19:38:48Z")) { PasswordLastUsed = Utc("2016-09-08T21:47:36Z") },
                new IamUser("AIDIODR4TAW7CSEXAMPLE", "Anika", "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/engineering/Anika",
                    "/division_abc/subdivision_xyz/engineering/", Utc("2014-04-09T15:43:45Z")) { PasswordLastUsed = Utc("2016-09-24T16:18:07Z") },
                new IamUser("AIDACKCEVSQ6C2EXAMPLE", "Bob", "arn:aws:iam::123456789012:user/Bob", "/", Utc("2013-10-02T17:01:44Z")),
            ],
            users);
        var forms = aws.Handler.Requests.Select(r => r.Form).ToList();
        Assert.All(forms, form => Assert.Equal(("ListUsers", "2010-05-08", "1000"), (form["Action"], form["Version"], form["MaxItems"])));
        Assert.False(forms[0].ContainsKey("Marker"));
        Assert.Equal("AAGTJYuexampleMarker1", forms[1]["Marker"]);
        Assert.Equal("AAGTJYuexampleMarker2", forms[2]["Marker"]);
        Assert.Equal(3, aws.Clients.Calls.Snapshot()["iam:ListUsers"]);
    }

    [Fact]
    public async Task ListUsers_ThrottledOnSecondPage_RetriesThatPageAndCarriesOn()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondXml(Fixture.Read("Iam/ListUsers.page1.xml"))
            .RespondXml(IamError("Throttling", "Rate exceeded"), HttpStatusCode.BadRequest)
            .RespondXml(Fixture.Read("Iam/ListUsers.page2.xml"))
            .RespondXml(Fixture.Read("Iam/ListUsers.page3.xml"));

        var users = await aws.Clients.Iam.ListUsersAsync(CancellationToken.None);

        Assert.Equal(["Juan", "Anika", "Bob"], users.Select(u => u.UserName));
        Assert.Equal("AAGTJYuexampleMarker1", aws.Handler.Requests[2].Form["Marker"]);
    }

    [Fact]
    public async Task ListUsers_TruncatedWithoutMarker_IsMalformedRatherThanEndless()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/ListUsers.page1.xml").Replace("<Marker>AAGTJYuexampleMarker1</Marker>", string.Empty, StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.ListUsersAsync(CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
    }

    [Fact]
    public async Task ListUsers_PageRepeatsItsMarker_IsMalformedRatherThanEndless()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/ListUsers.page1.xml")).RespondXml(Fixture.Read("Iam/ListUsers.page1.xml"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.ListUsersAsync(CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task GetUser_Exists_ReturnsTheUser()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GetUser.xml"));

        var user = await aws.Clients.Iam.GetUserAsync("Bob", CancellationToken.None);

        Assert.Equal(new IamUser("AIDACKCEVSQ6C2EXAMPLE", "Bob", "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob",
            "/division_abc/subdivision_xyz/", Utc("2013-10-02T17:01:44Z")) { PasswordLastUsed = Utc("2014-10-10T14:37:51Z") }, user);
        Assert.Equal(("GetUser", "Bob"), (aws.Handler.SingleRequest.Form["Action"], aws.Handler.SingleRequest.Form["UserName"]));
    }

    [Fact]
    public async Task GetUser_NoSuchEntity_ReturnsNull()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(IamError("NoSuchEntity", "The user with name Bob cannot be found."), HttpStatusCode.NotFound);

        Assert.Null(await aws.Clients.Iam.GetUserAsync("Bob", CancellationToken.None));
    }

    [Fact]
    public async Task GetLoginProfile_Exists_ReturnsIt()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GetLoginProfile.xml"));

        var profile = await aws.Clients.Iam.GetLoginProfileAsync("Bob", CancellationToken.None);

        Assert.Equal(new LoginProfile("Bob", Utc("2011-09-19T23:00:56Z"), PasswordResetRequired: true), profile);
    }

    [Fact]
    public async Task GetLoginProfile_NoSuchEntity_ReturnsNull()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(IamError("NoSuchEntity", "Login Profile for User Bob cannot be found."), HttpStatusCode.NotFound);

        Assert.Null(await aws.Clients.Iam.GetLoginProfileAsync("Bob", CancellationToken.None));
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task GetLoginProfile_AccessDenied_ThrowsRatherThanReportingNoPassword()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(IamError("AccessDenied", "not authorized to perform: iam:GetLoginProfile"), HttpStatusCode.Forbidden);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GetLoginProfileAsync("Bob", CancellationToken.None));

        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public async Task ListMfaDevices_TwoPages_ReturnsEveryDeviceWithItsKind()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/ListMFADevices.page1.xml")).RespondXml(Fixture.Read("Iam/ListMFADevices.page2.xml"));

        var devices = await aws.Clients.Iam.ListMfaDevicesAsync("Bob", CancellationToken.None);

        Assert.Equal(
            [
                new MfaDevice("R1234", Utc("2011-10-20T20:49:03Z")),
                new MfaDevice("arn:aws:iam::123456789012:mfa/Bob", Utc("2023-02-01T09:00:00Z")),
                new MfaDevice("arn:aws:iam::123456789012:u2f/user/Bob/fidosecuritykey-7XNL7NFNLZ123456789EXAMPLE", Utc("2024-05-06T07:08:09Z")),
            ],
            devices);
        Assert.Equal([MfaKinds.Hardware, MfaKinds.Virtual, MfaKinds.Fido], devices.Select(d => d.Kind));
        Assert.Equal(("ListMFADevices", "Bob"), (aws.Handler.Requests[0].Form["Action"], aws.Handler.Requests[0].Form["UserName"]));
        Assert.Equal(("Bob", "mfa-page-2"), (aws.Handler.Requests[1].Form["UserName"], aws.Handler.Requests[1].Form["Marker"]));
    }

    [Fact]
    public async Task ListMfaDevices_None_ReturnsEmpty()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/ListMFADevices.empty.xml"));

        Assert.Empty(await aws.Clients.Iam.ListMfaDevicesAsync("Bob", CancellationToken.None));
    }

    [Fact]
    public async Task ListMfaDevices_NoSuchEntity_Throws()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(IamError("NoSuchEntity", "The user with name Bob cannot be found."), HttpStatusCode.NotFound);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.ListMfaDevicesAsync("Bob", CancellationToken.None));

        Assert.Equal(("NoSuchEntity", 404), (error.ErrorCode, error.StatusCode));
    }

    [Fact]
    public async Task ListAssignedVirtualMfaDevices_TwoPages_ReturnsUsersDevicesAndSkipsTheRootUser()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondXml(Fixture.Read("Iam/ListVirtualMFADevices.page1.xml"))
            .RespondXml(Fixture.Read("Iam/ListVirtualMFADevices.page2.xml"));

        var devices = await aws.Clients.Iam.ListAssignedVirtualMfaDevicesAsync(CancellationToken.None);

        Assert.Equal(
            [
                new VirtualMfaAssignment("arn:aws:iam::123456789012:mfa/MyCustomUser", "MyCustomUser", "AIDAEXAMPLE36EXAMPLEC", Utc("2012-11-17T12:31:16Z")),
                new VirtualMfaAssignment("arn:aws:iam::111122223333:mfa/ExampleUser", "ExampleUser", "AIDAEXAMPLE36EXAMPLEB", Utc("2011-10-31T20:45:02Z")),
            ],
            devices);
        var first = aws.Handler.Requests[0].Form;
        Assert.Equal(("ListVirtualMFADevices", "Assigned", "1000"), (first["Action"], first["AssignmentStatus"], first["MaxItems"]));
        Assert.Equal(("Assigned", "virtual-page-2"), (aws.Handler.Requests[1].Form["AssignmentStatus"], aws.Handler.Requests[1].Form["Marker"]));
    }

    [Fact]
    public async Task ListUserTags_TwoPages_ReturnsEveryTagIncludingEmptyValues()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/ListUserTags.page1.xml")).RespondXml(Fixture.Read("Iam/ListUserTags.page2.xml"));

        var tags = await aws.Clients.Iam.ListUserTagsAsync("Bob", CancellationToken.None);

        Assert.Equal(
            new Dictionary<string, string> { ["Dept"] = "12345", ["Team"] = "Accounting", ["MfaExemptUntil"] = "2030-01-31", ["Empty"] = string.Empty },
            tags);
        Assert.Equal(("ListUserTags", "Bob"), (aws.Handler.Requests[0].Form["Action"], aws.Handler.Requests[0].Form["UserName"]));
        Assert.Equal("tags-page-2", aws.Handler.Requests[1].Form["Marker"]);
    }

    [Fact]
    public async Task GenerateCredentialReport_ReturnsTheState()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        Assert.Equal("STARTED", await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));
        Assert.Equal("Action=GenerateCredentialReport&Version=2010-05-08", aws.Handler.SingleRequest.BodyText);
    }

    [Fact]
    public async Task GetCredentialReport_ReturnsTheDecodedCsvAndGenerationTime()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GetCredentialReport.xml"));

        var report = await aws.Clients.Iam.GetCredentialReportAsync(CancellationToken.None);

        Assert.Equal(Fixture.Read("Iam/CredentialReport.csv"), report.Csv);
        Assert.Equal(Utc("2014-08-28T21:42:50Z"), report.GeneratedTime);
        var parsed = CredentialReport.Parse(report.Csv, report.GeneratedTime);
        Assert.Equal("Bob", Assert.Single(parsed.Users).UserName);
    }

    [Fact]
    public async Task GetCredentialReport_ContentNotBase64_IsMalformed()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GetCredentialReport.xml").Replace("<Content>", "<Content>!!", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GetCredentialReportAsync(CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
    }

    [Theory]
    [InlineData("ReportInProgress", HttpStatusCode.NotFound, "Report generation in progress.")]
    [InlineData("ReportNotPresent", HttpStatusCode.Gone, "Credential report not present.")]
    [InlineData("ReportExpired", HttpStatusCode.Gone, "Credential report is expired.")]
    public async Task GetCredentialReport_ReportNotReady_SurfacesTheCodeWithoutRetrying(string code, HttpStatusCode status, string message)
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(IamError(code, message), status);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GetCredentialReportAsync(CancellationToken.None));

        Assert.Equal((code, (int)status, message), (error.ErrorCode, error.StatusCode, error.ServiceMessage));
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task GenerateCredentialReport_LimitExceeded_SurfacesWithoutRetrying()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(IamError("LimitExceeded", "No more capacity to launch new report generation tasks"), HttpStatusCode.Conflict);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));

        Assert.Equal(("LimitExceeded", 409), (error.ErrorCode, error.StatusCode));
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task GetCredentialReport_ServiceFailure_IsRetried()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondXml(IamError("ServiceFailure", "The request processing has failed because of an unknown error."), HttpStatusCode.InternalServerError)
            .RespondXml(Fixture.Read("Iam/GetCredentialReport.xml"));

        await aws.Clients.Iam.GetCredentialReportAsync(CancellationToken.None);

        Assert.Equal(2, aws.Handler.Requests.Count);
    }
}
