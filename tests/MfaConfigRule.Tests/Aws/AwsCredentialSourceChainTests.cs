using MfaConfigRule.Aws;

namespace MfaConfigRule.Tests.Aws;

public sealed class AwsCredentialSourceChainTests
{
    private const string SdkMessage = """
        Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:

        Exception 1 of 4: The environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN were not set with AWS credentials.
        Exception 2 of 4: The webIdentityTokenFile must be an absolute path. (Parameter 'webIdentityTokenFile')
        Exception 3 of 4: Unable to find the "default" profile.
        Exception 4 of 4: Failed to connect to EC2 instance metadata to retrieve credentials: Unable to retrieve credentials..
        """;

    [Fact]
    public void ChainFailure_NoWebIdentityConfigured_LeavesItsComplaintOutAndSaysWhatToDo()
    {
        var message = AwsCredentialSource.ChainFailure(SdkMessage, webIdentityConfigured: false);

        Assert.Equal(
            "The environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN were not set with AWS credentials; " +
            "Unable to find the \"default\" profile; Failed to connect to EC2 instance metadata to retrieve credentials: Unable to retrieve credentials. " +
            "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile NAME, or sign in (aws sso login).",
            message);
    }

    [Fact]
    public void ChainFailure_WebIdentityConfigured_KeepsItsComplaint() =>
        Assert.Contains("webIdentityTokenFile", AwsCredentialSource.ChainFailure(SdkMessage, webIdentityConfigured: true), StringComparison.Ordinal);

    [Fact]
    public void ChainFailure_AMessageOfAnotherShape_IsKept() =>
        Assert.Equal("something else", AwsCredentialSource.ChainFailure("something else", webIdentityConfigured: false));
}
