using MfaConfigRule.Compliance;

namespace MfaConfigRule.Tests.Compliance;

public sealed class MfaKindTests
{
    [Theory]
    [InlineData("arn:aws:iam::123456789012:mfa/alice", (int)MfaKinds.Virtual)]
    [InlineData("arn:aws:iam::123456789012:mfa/division/alice-phone", (int)MfaKinds.Virtual)]
    [InlineData("arn:aws-us-gov:iam::123456789012:mfa/alice", (int)MfaKinds.Virtual)]
    [InlineData("arn:aws-cn:iam::123456789012:mfa/alice", (int)MfaKinds.Virtual)]
    [InlineData("arn:aws:iam::123456789012:u2f/user/alice/yubikey-ZD7C3OGRBWQB4JMHVJW7V2FWGE", (int)MfaKinds.Fido)]
    [InlineData("arn:aws-us-gov:iam::123456789012:u2f/user/alice/passkey-1", (int)MfaKinds.Fido)]
    [InlineData("GAHT12345678", (int)MfaKinds.Hardware)]
    [InlineData("12345678", (int)MfaKinds.Hardware)]
    // An ARN that is not mfa/ or u2f/ is no hardware token (those serials are not ARNs): its kind is unknown.
    [InlineData("", (int)MfaKinds.Unknown)]
    [InlineData("arn:aws:iam::123456789012:user/mfa/alice", (int)MfaKinds.Unknown)]
    [InlineData("arn:aws:iam::123456789012:sms-mfa/alice", (int)MfaKinds.Unknown)]
    [InlineData("arn:aws:iam::123456789012:mfa", (int)MfaKinds.Unknown)]
    [InlineData("arn:aws:iam::123456789012", (int)MfaKinds.Unknown)]
    [InlineData("ARN:aws:iam::123456789012:mfa/alice", (int)MfaKinds.Unknown)]
    [InlineData("Arn:aws:iam::123456789012:u2f/user/alice/key", (int)MfaKinds.Unknown)]
    public void KindOfSerial_Serial_GivesTheKindIamMeans(string serial, int kind)
    {
        Assert.Equal((MfaKinds)kind, MfaKindNames.KindOfSerial(serial));
    }

    [Fact]
    public void KindOfSerial_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => MfaKindNames.KindOfSerial(null!));
    }

    [Fact]
    public void Kind_OfADevice_ComesFromItsSerial()
    {
        Assert.Equal(MfaKinds.Fido, Builders.Fido("alice").Kind);
        Assert.Equal(MfaKinds.Virtual, Builders.Virtual("alice").Kind);
        Assert.Equal(MfaKinds.Hardware, Builders.Hardware().Kind);
        Assert.Equal(MfaKinds.Unknown, Builders.UnknownKind("alice").Kind);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:sms-mfa/alice", "sms-mfa")]
    [InlineData("arn:aws-us-gov:iam::123456789012:token/team/alice", "token")]
    [InlineData("arn:aws:iam::123456789012:mfa", "mfa")]
    [InlineData("arn:aws:iam::123456789012", "ARN without a resource")]
    [InlineData("arn:aws:iam::123456789012:", "ARN without a resource")]
    [InlineData("", "empty serial")]
    [InlineData("ARN:aws:iam::123456789012:mfa/alice", "ARN:aws:iam::123456789012:mfa...")]
    [InlineData("arn:aws:iam::123456789012:a-resource-type-far-longer-than-anyone-needs/alice", "a-resource-type-far-longer-th...")]
    public void SerialKind_UnknownSerial_NamesWhatWasSeenShortly(string serial, string seen)
    {
        Assert.Equal(seen, MfaKindNames.SerialKind(serial));
    }

    [Theory]
    [InlineData((int)MfaKinds.All, (int)(MfaKinds.All | MfaKinds.Unknown))]
    [InlineData((int)(MfaKinds.Hardware | MfaKinds.Fido), (int)(MfaKinds.Hardware | MfaKinds.Fido))]
    [InlineData((int)MfaKinds.Virtual, (int)MfaKinds.Virtual)]
    [InlineData((int)(MfaKinds.Virtual | MfaKinds.Hardware), (int)(MfaKinds.Virtual | MfaKinds.Hardware))]
    public void AcceptedBy_OnlyAPolicyOfEveryKindAcceptsAnUnknownKind(int allowed, int accepted)
    {
        Assert.Equal((MfaKinds)accepted, MfaKindNames.AcceptedBy((MfaKinds)allowed));
    }

    [Fact]
    public void Names_UnknownKind_IsNoParameterSpelling()
    {
        Assert.Empty(MfaKindNames.Names(MfaKinds.Unknown));
        Assert.Equal(["virtual", "hardware", "fido"], MfaKindNames.Names(MfaKinds.All | MfaKinds.Unknown));
    }

    [Theory]
    [InlineData((int)MfaKinds.None, "none")]
    [InlineData((int)MfaKinds.Virtual, "virtual")]
    [InlineData((int)MfaKinds.Fido, "FIDO")]
    [InlineData((int)(MfaKinds.Virtual | MfaKinds.Fido), "virtual or FIDO")]
    [InlineData((int)(MfaKinds.Hardware | MfaKinds.Fido), "hardware or FIDO")]
    [InlineData((int)MfaKinds.All, "virtual, hardware or FIDO")]
    [InlineData((int)MfaKinds.Unknown, "unrecognised-kind")]
    [InlineData((int)(MfaKinds.Hardware | MfaKinds.Unknown), "hardware or unrecognised-kind")]
    public void Describe_Kinds_ReadsAsASentence(int kinds, string text)
    {
        Assert.Equal(text, MfaKindNames.Describe((MfaKinds)kinds));
    }

    [Fact]
    public void Names_All_AreTheParameterSpellingsInOrder()
    {
        Assert.Equal(["virtual", "hardware", "fido"], MfaKindNames.Names(MfaKinds.All));
    }

    [Theory]
    [InlineData("virtual", (int)MfaKinds.Virtual)]
    [InlineData(" Hardware ", (int)MfaKinds.Hardware)]
    [InlineData("FIDO", (int)MfaKinds.Fido)]
    public void TryParseOne_KnownName_Parses(string name, int kind)
    {
        Assert.True(MfaKindNames.TryParseOne(name, out var parsed));
        Assert.Equal((MfaKinds)kind, parsed);
    }

    [Theory]
    [InlineData("u2f")]
    [InlineData("totp")]
    [InlineData("")]
    [InlineData("all")]
    public void TryParseOne_UnknownName_Fails(string name)
    {
        Assert.False(MfaKindNames.TryParseOne(name, out var parsed));
        Assert.Equal(MfaKinds.None, parsed);
    }
}
