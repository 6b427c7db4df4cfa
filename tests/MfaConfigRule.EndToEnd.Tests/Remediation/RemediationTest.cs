using System.Text.Json.Nodes;
using AwsDouble.Iam;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests.Remediation;

/// <summary>
/// The <c>remediate</c> entry's world: the stack's enforcement policy already in IAM, the function started with the
/// environment the CDK app gives it, and users seeded as each case needs.
/// </summary>
public abstract class RemediationTest(ITestOutputHelper output) : EndToEndTest(output)
{
    internal const string PolicyPath = "/mfa-config-rule/";
    internal const string PolicyName = "mfa-config-rule-enforce-mfa";
    internal const string DefaultParameters = """{"ExemptUserNames":"break-glass","ExemptPathPrefixes":"/service/","ExemptionTagKey":"mfa-exempt-until","GracePeriodHours":"0"}""";

    private string? _policyArn;

    /// <summary>The stack's enforcement policy, created in the double on first use (its content is the CDK app's concern, proven elsewhere).</summary>
    internal string PolicyArn => _policyArn ??= Account.CreateManagedPolicy(PolicyName,
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:ChangePassword","Resource":"*"}]}""", PolicyPath).Arn;

    internal Task<LambdaFunction> StartRemediateAsync(string action = "EnforceMfa", string parameters = DefaultParameters)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["REMEDIATION_ACTION"] = action,
            ["RULE_PARAMETERS"] = parameters,
        };
        if (action == "EnforceMfa") environment["ENFORCEMENT_POLICY_ARN"] = PolicyArn;
        return StartFunctionAsync("remediate", environment);
    }

    /// <summary>Seeds one user with a console password set 30 days ago (unless <paramref name="seed"/> says otherwise).</summary>
    internal IamUserSnapshot SeedUser(string userName, Func<UserSeed, UserSeed>? seed = null)
    {
        var withPassword = new UserSeed(userName) { LoginProfile = new LoginProfileSeed(Now.AddDays(-30)) };
        return Account.SeedUsers([seed is null ? withPassword : seed(withPassword)])[0];
    }

    internal static string Request(string userId, string action = "EnforceMfa", bool dryRun = false) =>
        new JsonObject { ["IAMResourceId"] = userId, ["Action"] = action, ["DryRun"] = dryRun }.ToJsonString();

    /// <summary>Invokes and returns the structured result; a remediation always answers with one, never an invocation error.</summary>
    internal static async Task<JsonObject> RemediateAsync(LambdaFunction function, string request)
    {
        var outcome = await function.InvokeAsync(request);
        Assert.True(outcome.Succeeded, outcome.ToString());
        return outcome.Json;
    }

    internal IReadOnlyList<string> AttachedTo(string userName) => Account.FindUser(userName)!.AttachedPolicyArns;

    internal static void AssertOutcome(JsonObject result, string outcome, bool ok, bool changed)
    {
        Assert.True(result["outcome"]!.GetValue<string>() == outcome, result.ToJsonString());
        Assert.Equal(ok, result["ok"]!.GetValue<bool>());
        Assert.Equal(changed, result["changed"]!.GetValue<bool>());
        Assert.Equal(changed, result["did"]!.AsArray().Count > 0);
        Assert.False(string.IsNullOrWhiteSpace(result["why"]!.GetValue<string>()));
    }
}
