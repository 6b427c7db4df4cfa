using System.Net;
using AwsDouble.Iam;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>IAM operations answer in IAM's shapes and with IAM's errors.</summary>
public sealed class IamTests : DoubleTest
{
    [Fact]
    public async Task ListUsers_MaxItems_PagesWithMarkerUntilNotTruncated()
    {
        Account.SeedUsers(Enumerable.Range(0, 25).Select(i => new UserSeed($"user-{i:D2}")));

        var names = new List<string>();
        var pages = 0;
        string? marker = null;
        do
        {
            var parameters = marker is null ? new[] { ("MaxItems", "10") } : [("MaxItems", "10"), ("Marker", marker)];
            var page = await Aws.IamAsync("ListUsers", parameters);
            pages++;
            names.AddRange(page.All("UserName").Select(e => e.Value));
            marker = page.Value("IsTruncated") == "true" ? page.Value("Marker") : null;
        }
        while (marker is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"user-{i:D2}"), names);
    }

    [Fact]
    public async Task ListUsers_PathPrefix_ListsOnlyThatPath()
    {
        Account.SeedUsers([new UserSeed("alice"), new UserSeed("bob") { Path = "/break-glass/" }]);

        var answer = await Aws.IamAsync("ListUsers", ("PathPrefix", "/break-glass/"));

        Assert.Equal(["bob"], answer.All("UserName").Select(e => e.Value));
        Assert.Equal("arn:aws:iam::123456789012:user/break-glass/bob", answer.Value("Arn"));
    }

    [Fact]
    public async Task ListUsers_MaxItemsAboveThousand_IsValidationError()
    {
        var answer = await Aws.IamAsync("ListUsers", ("MaxItems", "1001"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("ValidationError", answer.ErrorCode);
    }

    [Fact]
    public async Task GetUser_UnknownUser_IsNoSuchEntity404()
    {
        var answer = await Aws.IamAsync("GetUser", ("UserName", "ghost"));

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("NoSuchEntity", answer.ErrorCode);
        Assert.Equal("The user with name ghost cannot be found.", answer.Value("Message"));
    }

    [Fact]
    public async Task CreateUser_NewName_GetsAidaIdCreateDateAndTags()
    {
        var created = await Aws.IamAsync("CreateUser", ("UserName", "alice"), ("Path", "/staff/"),
            ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "payments"));
        var fetched = await Aws.IamAsync("GetUser", ("UserName", "alice"));

        Assert.Matches("^AIDA[A-Z0-9]{17}$", created.Value("UserId"));
        Assert.Equal(created.Value("UserId"), fetched.Value("UserId"));
        Assert.Equal("2026-01-15T09:00:00Z", fetched.Value("CreateDate"));
        Assert.Equal("/staff/", fetched.Value("Path"));
        Assert.Equal("payments", fetched.Value("Value"));
    }

    [Fact]
    public async Task CreateUser_ExistingNameInOtherCase_IsEntityAlreadyExists409()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));

        var answer = await Aws.IamAsync("CreateUser", ("UserName", "ALICE"));

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Equal("EntityAlreadyExists", answer.ErrorCode);
    }

    [Fact]
    public async Task CreateUser_NameWithSpace_IsValidationError()
    {
        var answer = await Aws.IamAsync("CreateUser", ("UserName", "al ice"));

        Assert.Equal("ValidationError", answer.ErrorCode);
    }

    [Fact]
    public async Task DeleteUser_WithLoginProfile_IsDeleteConflictUntilProfileDeleted()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        await Aws.IamAsync("CreateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-1"));

        var refused = await Aws.IamAsync("DeleteUser", ("UserName", "alice"));
        await Aws.IamAsync("DeleteLoginProfile", ("UserName", "alice"));
        var deleted = await Aws.IamAsync("DeleteUser", ("UserName", "alice"));

        Assert.Equal("DeleteConflict", refused.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Null(Account.FindUser("alice"));
    }

    [Fact]
    public async Task LoginProfile_CreateUpdateDelete_IsVisibleThroughGetLoginProfile()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        var before = await Aws.IamAsync("GetLoginProfile", ("UserName", "alice"));
        await Aws.IamAsync("CreateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-1"), ("PasswordResetRequired", "true"));
        Clock.Advance(TimeSpan.FromDays(2));
        await Aws.IamAsync("UpdateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-2"));
        var during = await Aws.IamAsync("GetLoginProfile", ("UserName", "alice"));
        var duplicate = await Aws.IamAsync("CreateLoginProfile", ("UserName", "alice"), ("Password", "x"));
        await Aws.IamAsync("DeleteLoginProfile", ("UserName", "alice"));
        var after = await Aws.IamAsync("GetLoginProfile", ("UserName", "alice"));

        Assert.Equal("NoSuchEntity", before.ErrorCode);
        Assert.Equal("Login Profile for User alice cannot be found.", before.Value("Message"));
        Assert.Equal("2026-01-15T09:00:00Z", during.Value("CreateDate"));
        Assert.Equal("true", during.Value("PasswordResetRequired"));
        Assert.Equal("EntityAlreadyExists", duplicate.ErrorCode);
        Assert.Equal("NoSuchEntity", after.ErrorCode);
    }

    [Fact]
    public async Task UpdateLoginProfile_NewPassword_MovesPasswordLastChanged()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        await Aws.IamAsync("CreateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-1"));
        Clock.Advance(TimeSpan.FromDays(2));

        await Aws.IamAsync("UpdateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-2"));

        var profile = Account.FindUser("alice")!.LoginProfile!;
        Assert.Equal(DoubleClock.DefaultStart, profile.CreateDate);
        Assert.Equal(DoubleClock.DefaultStart.AddDays(2), profile.PasswordLastChanged);
    }

    [Fact]
    public async Task VirtualMfa_CreateEnableDeactivateDelete_MovesBetweenUnassignedAndAssigned()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        var created = await Aws.IamAsync("CreateVirtualMFADevice", ("VirtualMFADeviceName", "alice-phone"));
        var serial = created.Value("SerialNumber")!;
        var seed = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(created.Value("Base32StringSeed")!));
        var unassigned = await Aws.IamAsync("ListVirtualMFADevices", ("AssignmentStatus", "Unassigned"));
        var (code1, code2) = Totp.ConsecutiveCodes(seed, Clock.GetUtcNow());

        var enabled = await Aws.IamAsync("EnableMFADevice", ("UserName", "alice"), ("SerialNumber", serial),
            ("AuthenticationCode1", code1), ("AuthenticationCode2", code2));
        var assigned = await Aws.IamAsync("ListVirtualMFADevices", ("AssignmentStatus", "Assigned"));
        var userDevices = await Aws.IamAsync("ListMFADevices", ("UserName", "alice"));
        var stillInUse = await Aws.IamAsync("DeleteVirtualMFADevice", ("SerialNumber", serial));
        await Aws.IamAsync("DeactivateMFADevice", ("UserName", "alice"), ("SerialNumber", serial));
        var afterDeactivate = await Aws.IamAsync("ListVirtualMFADevices", ("AssignmentStatus", "Unassigned"));
        var deleted = await Aws.IamAsync("DeleteVirtualMFADevice", ("SerialNumber", serial));

        Assert.Equal("arn:aws:iam::123456789012:mfa/alice-phone", serial);
        Assert.Equal(64, seed.Length);
        Assert.Equal([serial], unassigned.All("SerialNumber").Select(e => e.Value));
        Assert.Equal(HttpStatusCode.OK, enabled.Status);
        var member = Assert.Single(assigned.All("member"));
        Assert.Equal("alice", member.Elements().Single(e => e.Name.LocalName == "User").Elements().Single(e => e.Name.LocalName == "UserName").Value);
        Assert.Equal("2026-01-15T09:00:00Z", member.Elements().Single(e => e.Name.LocalName == "EnableDate").Value);
        Assert.Equal(serial, userDevices.Value("SerialNumber"));
        Assert.Equal("DeleteConflict", stillInUse.ErrorCode);
        Assert.Equal([serial], afterDeactivate.All("SerialNumber").Select(e => e.Value));
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Empty(Account.VirtualMfaDevices);
    }

    [Fact]
    public async Task EnableMfaDevice_WrongCodes_IsInvalidAuthenticationCode()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        var serial = (await Aws.IamAsync("CreateVirtualMFADevice", ("VirtualMFADeviceName", "alice"))).Value("SerialNumber")!;

        var answer = await Aws.IamAsync("EnableMFADevice", ("UserName", "alice"), ("SerialNumber", serial),
            ("AuthenticationCode1", "000000"), ("AuthenticationCode2", "000001"));

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("InvalidAuthenticationCode", answer.ErrorCode);
        Assert.Empty(Account.FindUser("alice")!.MfaDevices);
    }

    [Fact]
    public async Task EnableMfaDevice_HardwareSerial_IsListedWithItsPlainSerial()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));

        await Aws.IamAsync("EnableMFADevice", ("UserName", "alice"), ("SerialNumber", "GAHT12345678"),
            ("AuthenticationCode1", "123456"), ("AuthenticationCode2", "654321"));
        var devices = await Aws.IamAsync("ListMFADevices", ("UserName", "alice"));

        Assert.Equal("GAHT12345678", devices.Value("SerialNumber"));
        Assert.Equal(MfaDeviceKind.Hardware, Assert.Single(Account.FindUser("alice")!.MfaDevices).Kind);
    }

    [Fact]
    public async Task ListMfaDevices_SeededDevicesOfEveryKind_ShowTheRealSerialForms()
    {
        var enabled = DoubleClock.DefaultStart.AddDays(-3);
        Account.SeedUsers([new UserSeed("carol")
        {
            LoginProfile = new LoginProfileSeed(enabled),
            MfaDevices = [new(MfaDeviceKind.Virtual, enabled), new(MfaDeviceKind.Hardware, enabled), new(MfaDeviceKind.Fido, enabled)],
        }]);

        var answer = await Aws.IamAsync("ListMFADevices", ("UserName", "carol"));
        var serials = answer.All("SerialNumber").Select(e => e.Value).ToList();

        Assert.Equal(3, serials.Count);
        Assert.Equal("arn:aws:iam::123456789012:mfa/carol", serials[0]);
        Assert.Matches("^GAHT[0-9]{8}$", serials[1]);
        Assert.Matches("^arn:aws:iam::123456789012:u2f/user/carol/[a-z0-9-]+$", serials[2]);
        Assert.Equal([MfaDeviceKind.Virtual, MfaDeviceKind.Hardware, MfaDeviceKind.Fido], serials.Select(MfaSerials.KindOf));
    }

    [Fact]
    public async Task ListVirtualMfaDevices_Assigned_NamesTheUserOfEachSeededVirtualDevice()
    {
        var at = DoubleClock.DefaultStart.AddDays(-1);
        Account.SeedUsers([
            new UserSeed("dave") { MfaDevices = [new(MfaDeviceKind.Virtual, at)] },
            new UserSeed("erin") { MfaDevices = [new(MfaDeviceKind.Fido, at)] },
        ]);

        var answer = await Aws.IamAsync("ListVirtualMFADevices", ("AssignmentStatus", "Assigned"));

        Assert.Equal(["arn:aws:iam::123456789012:mfa/dave"], answer.All("SerialNumber").Select(e => e.Value));
        Assert.Equal(Account.FindUser("dave")!.UserId, answer.Value("UserId"));
    }

    [Fact]
    public async Task AbandonedVirtualMfaDevice_IsUnassignedAndNotAmongTheUsersDevices()
    {
        Account.SeedUsers([new UserSeed("gina") { LoginProfile = new LoginProfileSeed(DoubleClock.DefaultStart), AbandonedVirtualMfaDevice = true }]);

        var unassigned = await Aws.IamAsync("ListVirtualMFADevices", ("AssignmentStatus", "Unassigned"));
        var assigned = await Aws.IamAsync("ListVirtualMFADevices", ("AssignmentStatus", "Assigned"));
        var devices = await Aws.IamAsync("ListMFADevices", ("UserName", "gina"));

        Assert.Equal(["arn:aws:iam::123456789012:mfa/gina-pending"], unassigned.All("SerialNumber").Select(e => e.Value));
        Assert.Empty(assigned.All("SerialNumber"));
        Assert.Empty(devices.All("SerialNumber"));
        Assert.Contains("\ngina,arn:aws:iam::123456789012:user/gina,2026-01-15T09:00:00+00:00,true,no_information,2026-01-15T09:00:00+00:00,N/A,false,",
            Account.CredentialReportCsvNow(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tags_TagListUntag_ReplaceByKeyAndRemove()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"), ("Tags.member.1.Key", "mfa-exempt-until"), ("Tags.member.1.Value", "2026-01-31"));

        await Aws.IamAsync("TagUser", ("UserName", "alice"), ("Tags.member.1.Key", "mfa-exempt-until"), ("Tags.member.1.Value", "2026-02-28"),
            ("Tags.member.2.Key", "team"), ("Tags.member.2.Value", "ops"));
        var tagged = await Aws.IamAsync("ListUserTags", ("UserName", "alice"));
        await Aws.IamAsync("UntagUser", ("UserName", "alice"), ("TagKeys.member.1", "team"));
        var untagged = await Aws.IamAsync("ListUserTags", ("UserName", "alice"));

        Assert.Equal(["mfa-exempt-until=2026-02-28", "team=ops"], Pairs(tagged));
        Assert.Equal(["mfa-exempt-until=2026-02-28"], Pairs(untagged));
        Assert.Equal("false", untagged.Value("IsTruncated"));
    }

    [Fact]
    public async Task GetUser_WithoutUserNameAsRoot_DescribesTheRoot()
    {
        var answer = await Aws.IamAsync("GetUser");

        Assert.Equal("arn:aws:iam::123456789012:root", answer.Value("Arn"));
        Assert.Equal("123456789012", answer.Value("UserId"));
    }

    [Fact]
    public async Task GetUser_WithoutUserNameAsIamUser_DescribesThatUser()
    {
        Account.SeedUsers([new UserSeed("frank")]);
        using var asFrank = AwsClient.For(Server, Account.CreateAccessKey("frank"));

        var answer = await asFrank.IamAsync("GetUser");

        Assert.Equal("frank", answer.Value("UserName"));
    }

    private static IEnumerable<string> Pairs(QueryAnswer answer) =>
        answer.All("member").Select(m => $"{m.Elements().First(e => e.Name.LocalName == "Key").Value}={m.Elements().First(e => e.Name.LocalName == "Value").Value}");
}
