using System.Text.Json.Nodes;
using AwsDouble.Auth;
using AwsDouble.Lambda;
using AwsDouble.Organizations;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>
/// Lambda Invoke against the real clients: the AWS CLI v2 (<c>aws lambda invoke</c>) and boto3 doing exactly what the
/// member runbook's <c>aws:executeScript</c> step does (assume the admin account's invoker role with the member's
/// Automation credentials, then invoke the central function by ARN), so botocore's signer, serializer and REST-JSON
/// parsers accept what the double sends.
/// </summary>
public sealed class LambdaClientTests : DoubleTest
{
    private const string Region = "us-east-1";
    private const string AutomationRole = "MfaConfigRule-Automation";
    private const string InvokerRole = "MfaConfigRule-RemediateInvoker";
    private const string Member = "222222222222";

    private DoubleOrganization? _organization;

    private LambdaRegion Lambda => Account.Lambda(Region);

    private string InvokerRoleArn => $"arn:aws:iam::{Account.AccountId}:role/{InvokerRole}";

    /// <summary>The Organization, a member with its Automation role, the admin's invoker role trusting exactly that role name, and the function.</summary>
    private (string FunctionArn, DoubleAccount Member) Deploy()
    {
        _organization = Server.State.CreateOrganization(Account);
        var member = Server.State.AddAccount(Member);
        _organization.Join(member);
        member.AddRole(AutomationRole);
        Account.AddRole(InvokerRole, $$$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",
              "Condition":{"StringEquals":{"aws:PrincipalOrgID":"{{{{_organization.Id}}}}"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/{{{{AutomationRole}}}}"}}}]}
            """);
        var arn = Lambda.AddFunction("remediate", (payload, _) =>
        {
            var request = JsonNode.Parse(payload)!;
            return Task.FromResult(request["fail"]?.GetValue<bool>() == true
                ? new LambdaInvokeResult("""{"errorMessage":"refused","errorType":"Refused"}""", "Unhandled")
                : new LambdaInvokeResult(new JsonObject { ["received"] = request.DeepClone(), ["ok"] = true }.ToJsonString()));
        }, [InvokerRoleArn]);
        return (arn, member);
    }

    private AwsCli Cli(Principal who) => new(Server.BaseUrl, who.AccessKeyId, who.SecretAccessKey, Region);

    private async Task<JsonObject> Boto3Async(Principal who, string roleArn, string function, string payload)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Scenarios", "lambda_invoke.py");
        var run = await Tool.RunAsync("python3", [script, roleArn, function, payload], TimeSpan.FromMinutes(1),
            Boto3.Environment(Server.BaseUrl, Region, who.AccessKeyId, who.SecretAccessKey, who.SessionToken));
        Assert.True(run.ExitCode == 0, run.ToString());
        return (JsonObject)JsonNode.Parse(run.Stdout)!;
    }

    [Boto3Fact]
    public async Task Boto3_AutomationRoleAssumesTheInvokerRoleAndInvokes_GetsThePayloadAndTheFunctionError()
    {
        var (arn, member) = Deploy();
        var automation = member.StartRoleSession(AutomationRole, "automation-exec", TimeSpan.FromHours(1));

        var ok = await Boto3Async(automation, InvokerRoleArn, arn, """{"IAMResourceId":"AIDAEXAMPLE","AccountId":"222222222222"}""");
        var failed = await Boto3Async(automation, InvokerRoleArn, arn, """{"fail":true}""");

        Assert.Equal($"arn:aws:sts::{Account.AccountId}:assumed-role/{InvokerRole}/mfa-rule-remediate", ok["Caller"]!.GetValue<string>());
        Assert.Equal(200, ok["StatusCode"]!.GetValue<int>());
        Assert.Null(ok["FunctionError"]);
        Assert.Equal("$LATEST", ok["ExecutedVersion"]!.GetValue<string>());
        Assert.Equal("""{"received":{"IAMResourceId":"AIDAEXAMPLE","AccountId":"222222222222"},"ok":true}""", ok["Payload"]!.GetValue<string>());
        Assert.Equal("Unhandled", failed["FunctionError"]!.GetValue<string>());
        Assert.Equal("""{"errorMessage":"refused","errorType":"Refused"}""", failed["Payload"]!.GetValue<string>());
        Assert.Equal(2, Lambda.Invocations("remediate"));
    }

    [Boto3Fact]
    public async Task Boto3_AutomationRoleInvokingDirectly_IsAccessDeniedAsBotocoreParsesIt()
    {
        var (arn, member) = Deploy();
        var automation = member.StartRoleSession(AutomationRole, "automation-exec", TimeSpan.FromHours(1));

        var denied = await Boto3Async(automation, "-", arn, "{}");

        Assert.Equal($"arn:aws:sts::{Member}:assumed-role/{AutomationRole}/automation-exec", denied["Caller"]!.GetValue<string>());
        Assert.Equal("AccessDeniedException", denied["ErrorCode"]!.GetValue<string>());
        Assert.Equal(403, denied["HttpStatus"]!.GetValue<int>());
        Assert.Equal(
            $"User: arn:aws:sts::{Member}:assumed-role/{AutomationRole}/automation-exec is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no resource-based policy allows the lambda:InvokeFunction action",
            denied["ErrorMessage"]!.GetValue<string>());
        Assert.Equal(0, Lambda.Invocations("remediate"));
    }

    [Boto3Fact]
    public async Task Boto3_AnotherRoleOfTheMember_CannotAssumeTheInvokerRole()
    {
        var (arn, member) = Deploy();
        member.AddRole("SomeOtherRole");
        var other = member.StartRoleSession("SomeOtherRole", "s", TimeSpan.FromHours(1));
        var script = Path.Combine(AppContext.BaseDirectory, "Scenarios", "lambda_invoke.py");

        var run = await Tool.RunAsync("python3", [script, InvokerRoleArn, arn, "{}"], TimeSpan.FromMinutes(1),
            Boto3.Environment(Server.BaseUrl, Region, other.AccessKeyId, other.SecretAccessKey, other.SessionToken));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::{Member}:assumed-role/SomeOtherRole/s is not authorized to perform: sts:AssumeRole on resource: {InvokerRoleArn}",
            run.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, Lambda.Invocations("remediate"));
    }

    [AwsCliFact]
    public async Task Cli_Invoke_WritesTheFunctionsOutputToTheOutfileAndReportsFunctionError()
    {
        var (arn, _) = Deploy();
        var cli = Cli(Account.RootCredentials);
        var outfile = Path.Combine(Path.GetTempPath(), $"lambda-out-{Guid.NewGuid():N}.json");
        try
        {
            var ok = await cli.RunAsync("lambda", "invoke", "--function-name", arn, "--cli-binary-format", "raw-in-base64-out",
                "--payload", """{"user":"alice"}""", outfile);
            var okOutput = await File.ReadAllTextAsync(outfile);
            var failed = await cli.RunAsync("lambda", "invoke", "--function-name", "remediate", "--cli-binary-format", "raw-in-base64-out",
                "--payload", """{"fail":true}""", outfile);

            Assert.True(ok.ExitCode == 0, ok.ToString());
            Assert.Equal("""{"received":{"user":"alice"},"ok":true}""", okOutput);
            var okJson = JsonNode.Parse(ok.Stdout)!;
            Assert.Equal(200, okJson["StatusCode"]!.GetValue<int>());
            Assert.Equal("$LATEST", okJson["ExecutedVersion"]!.GetValue<string>());
            Assert.Null(okJson["FunctionError"]);
            Assert.True(failed.ExitCode == 0, failed.ToString());
            Assert.Equal("Unhandled", JsonNode.Parse(failed.Stdout)!["FunctionError"]!.GetValue<string>());
            Assert.Equal("""{"errorMessage":"refused","errorType":"Refused"}""", await File.ReadAllTextAsync(outfile));
        }
        finally
        {
            File.Delete(outfile);
        }
    }

    [AwsCliFact]
    public async Task Cli_Invoke_AccessDeniedAndNotFound_InTheCliWords()
    {
        var (arn, member) = Deploy();
        var outfile = Path.Combine(Path.GetTempPath(), $"lambda-out-{Guid.NewGuid():N}.json");
        try
        {
            var denied = await Cli(member.RootCredentials).RunAsync("lambda", "invoke", "--function-name", arn, outfile);
            var missing = await Cli(Account.RootCredentials).RunAsync("lambda", "invoke", "--function-name", "ghost", outfile);

            // AWS_MAX_ATTEMPTS=1 (AwsCli's setting) makes botocore's standard retry mode add "(reached max retries: 0)".
            Assert.True(denied.ExitCode != 0, denied.ToString());
            Assert.Equal($"An error occurred (AccessDeniedException) when calling the Invoke operation (reached max retries: 0): User: arn:aws:iam::{Member}:root is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no resource-based policy allows the lambda:InvokeFunction action",
                denied.Stderr.Trim());
            Assert.True(missing.ExitCode != 0, missing.ToString());
            Assert.Equal($"An error occurred (ResourceNotFoundException) when calling the Invoke operation (reached max retries: 0): Function not found: arn:aws:lambda:{Region}:{Account.AccountId}:function:ghost",
                missing.Stderr.Trim());
            Assert.Equal(0, Lambda.Invocations("remediate"));
        }
        finally
        {
            File.Delete(outfile);
        }
    }
}
