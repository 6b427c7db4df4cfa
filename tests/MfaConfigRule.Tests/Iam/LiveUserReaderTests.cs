using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Iam;

/// <summary>One user, read live: the change-triggered path.</summary>
public sealed class LiveUserReaderTests
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeIamClient _iam;
    private readonly LiveUserReader _reader;

    public LiveUserReaderTests()
    {
        _iam = new FakeIamClient(_time);
        _reader = new LiveUserReader(_iam, _time);
    }

    [Fact]
    public async Task AssessLive_PasswordWithoutMfa_IsNonCompliantAfterTwoReadsAndTags()
    {
        var alice = _iam.AddUser("alice", Now.AddDays(-30));

        var assessment = await _reader.AssessAsync(alice, null, RuleParameters.Default, CancellationToken.None);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        Assert.Equal(
            [FakeIamClient.GetLoginProfile, FakeIamClient.ListMFADevices, FakeIamClient.ListUserTags],
            _iam.Calls.Select(c => c.Operation).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AssessLive_CompliantUser_DoesNotReadTags()
    {
        var alice = _iam.AddUser("alice", Now.AddDays(-30), [Fido("alice")]);

        var assessment = await _reader.AssessAsync(alice, null, RuleParameters.Default, CancellationToken.None);

        Assert.Equal(ComplianceType.Compliant, assessment.Compliance);
        Assert.Equal(0, _iam.Count(FakeIamClient.ListUserTags));
    }

    [Fact]
    public async Task AssessLive_TagsFromTheConfigurationItem_AreUsedWithoutListUserTags()
    {
        var alice = _iam.AddUser("alice", Now.AddDays(-30), tags: Tags(("mfa-exempt-until", "2020-01-01")));

        var assessment = await _reader.AssessAsync(alice, Tags(("mfa-exempt-until", "2027-01-01")), RuleParameters.Default, CancellationToken.None);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.Equal(0, _iam.Count(FakeIamClient.ListUserTags));
    }

    [Fact]
    public async Task AssessLive_ExemptionTagReadLive_Exempts()
    {
        var alice = _iam.AddUser("alice", Now.AddDays(-30), tags: Tags(("mfa-exempt-until", "2027-01-01")));

        var assessment = await _reader.AssessAsync(alice, null, RuleParameters.Default, CancellationToken.None);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.Equal(new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero), assessment.Exemption!.EndsAt);
    }

    [Fact]
    public async Task AssessLive_UserNoLongerExists_IsNotApplicable()
    {
        var ghost = User("ghost");

        var assessment = await _reader.AssessAsync(ghost, null, RuleParameters.Default, CancellationToken.None);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.Equal("The user no longer exists.", assessment.Annotation);
        Assert.True(assessment.IsFinal);
    }

    [Fact]
    public async Task AssessLive_UserDeletedBeforeItsTagsAreRead_IsNotApplicable()
    {
        var alice = _iam.AddUser("alice", Now.AddDays(-30));
        _iam.Fail(FakeIamClient.ListUserTags, "NoSuchEntity", userName: "alice");

        var assessment = await _reader.AssessAsync(alice, null, RuleParameters.Default, CancellationToken.None);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
    }

    [Theory]
    [InlineData(FakeIamClient.GetLoginProfile)]
    [InlineData(FakeIamClient.ListMFADevices)]
    [InlineData(FakeIamClient.ListUserTags)]
    public async Task AssessLive_Throttled_ThrowsRatherThanGuess(string operation)
    {
        var alice = _iam.AddUser("alice", Now.AddDays(-30));
        _iam.Fail(operation, "Throttling");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => _reader.AssessAsync(alice, null, RuleParameters.Default, CancellationToken.None));

        Assert.Equal("Throttling", error.ErrorCode);
    }

    [Fact]
    public async Task AssessLive_InsideGracePeriod_IsNonCompliantWithTheGraceEnd()
    {
        var hire = _iam.AddUser("new-hire", Now.AddHours(-3));

        var assessment = await _reader.AssessAsync(hire, NoTags, Parameters("""{"GracePeriodHours":"24"}"""), CancellationToken.None);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.Equal(Now.AddHours(21), assessment.GraceEndsAt);
    }
}
