namespace MfaConfigRule.EndToEnd.Tests.Docs;

/// <summary>How <see cref="DocCommandTests"/> reads a page's command: what it runs, and what it refuses to run without a shell.</summary>
public sealed class DocCommandParsingTests
{
    [Fact]
    public void Commands_JoinContinuationsAndDropComments()
    {
        var commands = DocCommandTests.Commands(["mfa-config-rule evaluate -r a.csv \\", "    --output json   # a comment", "", "# only a comment", "mfa-config-rule explain 'new hire' -r a.csv"]);

        Assert.Equal(["mfa-config-rule evaluate -r a.csv --output json", "mfa-config-rule explain 'new hire' -r a.csv"], commands);
    }

    [Theory]
    [InlineData("dotnet run --project rule -- evaluate -r samples/credential-report.csv", "evaluate|-r|samples/credential-report.csv")]
    [InlineData("mfa-config-rule explain 'new hire' --parameters \"{\\\"A\\\":\\\"b\\\"}\"", "explain|new hire|--parameters|{\"A\":\"b\"}")]
    public void TryRuleArguments_PageCommand_BecomesTheBinarysArguments(string command, string expected)
    {
        Assert.True(DocCommandTests.TryRuleArguments(command, out var arguments, out var why), why);
        Assert.Equal(expected.Split('|'), arguments);
    }

    [Theory]
    [InlineData("mfa-config-rule evaluate -o json > mfa.json")]
    [InlineData("mfa-config-rule evaluate --profile $PROFILE")]
    [InlineData("aws iam list-users")]
    public void TryRuleArguments_ShellOrAnotherProgram_IsRefusedWithTheReason(string command)
    {
        Assert.False(DocCommandTests.TryRuleArguments(command, out _, out var why));
        Assert.NotEmpty(why);
    }

}
