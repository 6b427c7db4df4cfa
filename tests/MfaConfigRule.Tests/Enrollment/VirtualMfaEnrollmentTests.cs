using MfaConfigRule.Enrollment;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Enrollment;

public sealed class VirtualMfaEnrollmentTests
{
    private const string AliceDevice = "arn:aws:iam::123456789012:mfa/alice";
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeIamClient _iam;
    private readonly FakeEnrollmentClient _writes;
    private readonly FakeConfigClient _config;
    private readonly ScriptedPerson _person = new();

    public VirtualMfaEnrollmentTests()
    {
        _iam = new FakeIamClient(_time);
        _writes = new FakeEnrollmentClient(_iam, _time);
        _config = new FakeConfigClient(_time);
        _iam.AddUser("alice", Now.AddDays(-3));
    }

    private Task<EnrollmentResult> EnrollAsync(EnrollmentRequest request) =>
        new VirtualMfaEnrollment(_iam, _writes, _config).EnrollAsync(request, _person, CancellationToken.None);

    [Fact]
    public async Task Enroll_RightCodes_EnablesTheDeviceAndConfirmsItWithListMfaDevices()
    {
        _person.Codes.Enqueue(_writes.AcceptedCodes);

        var result = await EnrollAsync(new EnrollmentRequest("alice"));

        Assert.Equal(AliceDevice, result.Device.SerialNumber);
        Assert.Equal(Now, result.Device.EnableDate);
        Assert.Equal(AliceDevice, Assert.Single(_person.Shown).SerialNumber);
        Assert.Equal(["CreateVirtualMFADevice alice", "EnableMFADevice alice 123456 654321"], _writes.Calls);
        Assert.Equal(FakeIamClient.ListMFADevices, _iam.Calls[^1].Operation);
        Assert.Empty(_writes.Unassigned);
        Assert.Null(result.ReevaluationNote);
    }

    [Fact]
    public async Task Enroll_WrongCodesFromAScript_ExplainsAndDeletesTheDeviceItCreated()
    {
        _person.Codes.Enqueue(new AuthenticationCodes("000000", "000001"));

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));

        Assert.StartsWith("IAM did not accept the two codes.", error.Message, StringComparison.Ordinal);
        Assert.Contains("clock", error.Message, StringComparison.Ordinal);
        Assert.Contains($"The unassigned device {AliceDevice} was deleted", error.Message, StringComparison.Ordinal);
        Assert.Equal($"DeleteVirtualMFADevice {AliceDevice}", _writes.Calls[^1]);
        Assert.Empty(_writes.Unassigned);
        Assert.Empty(await _iam.ListMfaDevicesAsync("alice", CancellationToken.None));
    }

    [Fact]
    public async Task Enroll_WrongCodesThenRightOnesFromAPerson_IsAskedAgainAndEnables()
    {
        _person.MayRetry = true;
        _person.Codes.Enqueue(new AuthenticationCodes("000000", "000001"));
        _person.Codes.Enqueue(_writes.AcceptedCodes);

        var result = await EnrollAsync(new EnrollmentRequest("alice"));

        Assert.Equal(AliceDevice, result.Device.SerialNumber);
        Assert.Contains(_person.Said, l => l.Contains("Try again (2 attempt(s) left)", StringComparison.Ordinal));
        Assert.DoesNotContain(_writes.Calls, c => c.StartsWith("DeleteVirtualMFADevice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enroll_ThreeRefusalsFromAPerson_GivesUpAndCleansUp()
    {
        _person.MayRetry = true;
        for (var i = 0; i < 5; i++) _person.Codes.Enqueue(new AuthenticationCodes("000000", "000001"));

        await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));

        Assert.Equal(3, _writes.Calls.Count(c => c.StartsWith("EnableMFADevice", StringComparison.Ordinal)));
        Assert.Empty(_writes.Unassigned);
    }

    [Fact]
    public async Task Enroll_NoCodesCome_DeletesTheDevice()
    {
        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));

        Assert.StartsWith("no codes were given, so the device was not enabled. The unassigned device", error.Message, StringComparison.Ordinal);
        Assert.Empty(_writes.Unassigned);
    }

    [Fact]
    public async Task Enroll_ShowingTheDeviceFails_StillDeletesIt()
    {
        _person.ShowFails = true;

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));

        Assert.StartsWith("disk full.", error.Message, StringComparison.Ordinal);
        Assert.Empty(_writes.Unassigned);
    }

    [Fact]
    public async Task Enroll_CleanUpRefused_SaysHowToDeleteTheDeviceByHand()
    {
        _writes.DeleteError = "AccessDenied";

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));

        Assert.Contains($"could not be deleted (AccessDenied): delete it with 'aws iam delete-virtual-mfa-device --serial-number {AliceDevice}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_EntityAlreadyExistsOnEnable_ExplainsAndCleansUp()
    {
        _writes.EnableErrors.Enqueue("EntityAlreadyExists");
        _person.Codes.Enqueue(_writes.AcceptedCodes);

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));

        Assert.StartsWith("IAM answered EntityAlreadyExists", error.Message, StringComparison.Ordinal);
        Assert.Empty(_writes.Unassigned);
    }

    [Fact]
    public async Task Enroll_UnknownUser_CreatesNothing()
    {
        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("ghost")));

        Assert.StartsWith("IAM has no user named ghost. Nothing was created.", error.Message, StringComparison.Ordinal);
        Assert.Empty(_writes.Calls);
    }

    [Fact]
    public async Task Enroll_UserAlreadyHasADevice_CreatesNothingUnlessAnAdditionalOneIsAsked()
    {
        _iam.SetDevices("alice", Fido("alice"));
        _person.Codes.Enqueue(_writes.AcceptedCodes);

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));
        var result = await EnrollAsync(new EnrollmentRequest("alice") { AdditionalDevice = true, DeviceName = "alice-phone" });

        Assert.StartsWith("user alice already has MFA: arn:aws:iam::123456789012:u2f/user/alice/", error.Message, StringComparison.Ordinal);
        Assert.Contains("(FIDO). Nothing was created.", error.Message, StringComparison.Ordinal);
        Assert.Equal("arn:aws:iam::123456789012:mfa/alice-phone", result.Device.SerialNumber);
    }

    [Fact]
    public async Task Enroll_DeviceNameTaken_SaysWhichAndCreatesNothing()
    {
        _writes.Unassigned.Add(AliceDevice);

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest("alice")));

        Assert.Contains("a virtual MFA device named alice already exists in account 123456789012", error.Message, StringComparison.Ordinal);
        Assert.Contains($"--device-name, or delete it if it is unassigned: 'aws iam delete-virtual-mfa-device --serial-number {AliceDevice}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(AliceDevice, _writes.Unassigned);
        Assert.DoesNotContain(_writes.Calls, c => c.StartsWith("DeleteVirtualMFADevice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enroll_Self_EnrolsTheCallersUser()
    {
        _person.Codes.Enqueue(_writes.AcceptedCodes);

        var result = await EnrollAsync(new EnrollmentRequest(null));

        Assert.Equal("alice", result.Target.UserName);
        Assert.Equal("GetCallerIdentity", _writes.Calls[0]);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:root")]
    [InlineData("arn:aws:sts::123456789012:assumed-role/admin/alice")]
    public async Task Enroll_SelfWithCredentialsThatAreNotAUser_SaysWhoTheyAre(string arn)
    {
        _writes.CallerArn = arn;

        var error = await Assert.ThrowsAsync<EnrollmentException>(() => EnrollAsync(new EnrollmentRequest(null)));

        Assert.Contains($"but they are {arn}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_Reevaluate_StartsTheNamedRule()
    {
        _person.Codes.Enqueue(_writes.AcceptedCodes);

        var result = await EnrollAsync(new EnrollmentRequest("alice") { ReevaluateRuleName = "mfa-rule" });

        Assert.Equal(["mfa-rule"], Assert.Single(_config.StartedEvaluations));
        Assert.StartsWith("Started a re-evaluation of Config rule mfa-rule", result.ReevaluationNote, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_ReevaluateRefused_KeepsTheDeviceAndWarns()
    {
        _config.RefuseStarts = 1;
        _person.Codes.Enqueue(_writes.AcceptedCodes);

        var result = await EnrollAsync(new EnrollmentRequest("alice") { ReevaluateRuleName = "mfa-rule" });

        Assert.StartsWith("warning: Config did not start a re-evaluation", result.ReevaluationNote, StringComparison.Ordinal);
        Assert.Single(await _iam.ListMfaDevicesAsync("alice", CancellationToken.None));
    }

    [Theory]
    [InlineData("123456", "123456")]
    [InlineData(" 123 456 ", "123456")]
    [InlineData("\uFEFF123456", "123456")]
    public void Normalize_SixDigits_AreTheCode(string typed, string code) =>
        Assert.Equal(code, AuthenticationCodes.Normalize(typed, out _));

    [Theory]
    [InlineData("", "no code was typed")]
    [InlineData("12345", "'12345' is not a 6-digit code")]
    [InlineData("12345a", "'12345a' is not a 6-digit code")]
    public void Normalize_NotSixDigits_SaysWhy(string typed, string problem)
    {
        Assert.Null(AuthenticationCodes.Normalize(typed, out var why));
        Assert.Equal(problem, why);
    }

    [Fact]
    public void Secret_IsNeverInTheDevicesText() =>
        Assert.DoesNotContain(FakeEnrollmentClient.Seed, new VirtualMfaDeviceSecret(AliceDevice, FakeEnrollmentClient.Seed).ToString(), StringComparison.Ordinal);

    private sealed class ScriptedPerson : IEnrollmentConversation
    {
        public Queue<AuthenticationCodes> Codes { get; } = new();
        public List<VirtualMfaDeviceSecret> Shown { get; } = [];
        public List<string> Said { get; } = [];
        public bool MayRetry { get; set; }
        public bool ShowFails { get; set; }

        public void ShowDevice(EnrollmentTarget target, VirtualMfaDeviceSecret device)
        {
            if (ShowFails) throw new IOException("disk full");
            Shown.Add(device);
        }

        public AuthenticationCodes? AskCodes() => Codes.TryDequeue(out var codes) ? codes : null;

        public void Say(string line) => Said.Add(line);
    }
}
