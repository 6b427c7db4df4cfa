using MfaConfigRule.Compliance;

namespace MfaConfigRule.Tests.Compliance;

public sealed class IamUserTests
{
    [Theory]
    [InlineData("arn:aws:iam::123456789012:user/alice", "alice", "/")]
    [InlineData("arn:aws:iam::123456789012:user/ops/alice", "alice", "/ops/")]
    [InlineData("arn:aws:iam::123456789012:user/division/team/alice", "alice", "/division/team/")]
    [InlineData("arn:aws-us-gov:iam::123456789012:user/break-glass/bg-1", "bg-1", "/break-glass/")]
    [InlineData("arn:aws:iam::123456789012:user/smith,john", "smith,john", "/")]
    public void PathFromArn_UserArn_GivesThePath(string arn, string userName, string path)
    {
        Assert.Equal(path, IamUser.PathFromArn(arn, userName));
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:root", "<root_account>")]
    [InlineData("arn:aws:iam::123456789012:role/ops/alice", "alice")]
    [InlineData("arn:aws:iam::123456789012:user/ops/alice", "bob")]
    [InlineData("arn:aws:iam::123456789012:user/ops/xalice", "alice")]
    [InlineData("arn:aws:iam::123456789012:user/ops/alice", "ALICE")]
    [InlineData("", "alice")]
    public void PathFromArn_ArnNotOfThisUser_GivesRoot(string arn, string userName)
    {
        Assert.Equal("/", IamUser.PathFromArn(arn, userName));
    }

    [Fact]
    public void MfaEvidence_FromReport_KnowsOnlyWhetherAnyIsActive()
    {
        Assert.True(MfaEvidence.FromReport(true).AnyActive);
        Assert.False(MfaEvidence.FromReport(false).AnyActive);
        Assert.Equal(MfaKinds.None, MfaEvidence.FromReport(true).Kinds);
    }

    [Fact]
    public void MfaEvidence_Live_KindsAreTheUnionOfTheDevices()
    {
        var evidence = MfaEvidence.Live([Builders.Virtual("alice"), Builders.Fido("alice"), Builders.Virtual("alice")]);

        Assert.Equal(MfaKinds.Virtual | MfaKinds.Fido, evidence.Kinds);
        Assert.True(evidence.AnyActive);
        Assert.False(evidence.ActiveKindsUnknown);
    }
}
