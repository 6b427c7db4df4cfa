using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Iam;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>The real AWS CLI v2 (botocore's parsers and signer) drives every operation the project calls.</summary>
public sealed class AwsCliTests : DoubleTest
{
    private AwsCli Cli(string region = "us-east-1") =>
        new(Server.BaseUrl, Account.RootCredentials.AccessKeyId, Account.RootCredentials.SecretAccessKey, region);

    [AwsCliFact]
    public async Task Iam_UserLoginProfileAndVirtualMfa_AreCreatedEnabledAndListed()
    {
        var cli = Cli();
        var seedFile = Path.Combine(Path.GetTempPath(), $"awsdouble-seed-{Guid.NewGuid():N}.txt");
        try
        {
            var user = await JsonAsync(cli, "iam", "create-user", "--user-name", "alice", "--tags", "Key=team,Value=ops");
            await JsonAsync(cli, "iam", "create-login-profile", "--user-name", "alice", "--password", "Correct-Horse-1!");
            var device = await JsonAsync(cli, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "alice",
                "--outfile", seedFile, "--bootstrap-method", "Base32StringSeed");
            var serial = device["VirtualMFADevice"]!["SerialNumber"]!.GetValue<string>();
            var (code1, code2) = Totp.ConsecutiveCodes((await File.ReadAllTextAsync(seedFile)).Trim(), Clock.GetUtcNow());
            var enable = await cli.RunAsync("iam", "enable-mfa-device", "--user-name", "alice", "--serial-number", serial,
                "--authentication-code1", code1, "--authentication-code2", code2);
            var devices = await JsonAsync(cli, "iam", "list-mfa-devices", "--user-name", "alice");
            var assigned = await JsonAsync(cli, "iam", "list-virtual-mfa-devices", "--assignment-status", "Assigned");
            var profile = await JsonAsync(cli, "iam", "get-login-profile", "--user-name", "alice");
            var tags = await JsonAsync(cli, "iam", "list-user-tags", "--user-name", "alice");

            Assert.Matches("^AIDA[A-Z0-9]{17}$", user["User"]!["UserId"]!.GetValue<string>());
            Assert.Equal("2026-01-15T09:00:00+00:00", user["User"]!["CreateDate"]!.GetValue<string>());
            Assert.True(enable.ExitCode == 0, enable.ToString());
            Assert.Equal(serial, devices["MFADevices"]![0]!["SerialNumber"]!.GetValue<string>());
            Assert.Equal("alice", assigned["VirtualMFADevices"]![0]!["User"]!["UserName"]!.GetValue<string>());
            Assert.Equal("alice", profile["LoginProfile"]!["UserName"]!.GetValue<string>());
            Assert.Equal("ops", tags["Tags"]![0]!["Value"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(seedFile);
        }
    }

    [AwsCliFact]
    public async Task Iam_ListUsersWithSmallPages_IsFollowedThroughEveryMarker()
    {
        Account.SeedUsers(Enumerable.Range(0, 7).Select(i => new UserSeed($"user-{i}")));

        var users = await JsonAsync(Cli(), "iam", "list-users", "--page-size", "2");

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"user-{i}"), users["Users"]!.AsArray().Select(u => u!["UserName"]!.GetValue<string>()));
    }

    [AwsCliFact]
    public async Task Iam_MissingUser_IsNoSuchEntityToTheCli()
    {
        var run = await Cli().RunAsync("iam", "get-user", "--user-name", "ghost");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("(NoSuchEntity)", run.Stderr, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task Iam_SignedWithTheWrongSecret_IsSignatureDoesNotMatchToTheCli()
    {
        var forger = new AwsCli(Server.BaseUrl, Account.RootCredentials.AccessKeyId, "wrong-secret");

        var run = await forger.RunAsync("iam", "list-users");

        Assert.Contains("(SignatureDoesNotMatch)", run.Stderr, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task Iam_CredentialReport_IsInProgressThenCompleteWithTheCsv()
    {
        var cli = Cli();
        Account.SeedUsers([new UserSeed("alice") { LoginProfile = new LoginProfileSeed(DoubleClock.DefaultStart.AddDays(-1)) }]);

        var generate = await JsonAsync(cli, "iam", "generate-credential-report");
        var early = await cli.RunAsync("iam", "get-credential-report");
        Clock.Advance(CredentialReportTiming.Default.GenerationDelay);
        var report = await JsonAsync(cli, "iam", "get-credential-report");

        Assert.Equal("STARTED", generate["State"]!.GetValue<string>());
        Assert.Contains("(ReportInProgress)", early.Stderr, StringComparison.Ordinal);
        Assert.Equal("text/csv", report["ReportFormat"]!.GetValue<string>());
        var csv = Encoding.UTF8.GetString(Convert.FromBase64String(report["Content"]!.GetValue<string>())).Split('\n');
        Assert.StartsWith("user,arn,user_creation_time,password_enabled,", csv[0], StringComparison.Ordinal);
        Assert.StartsWith("<root_account>,", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("alice,arn:aws:iam::123456789012:user/alice,", csv[2], StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task Sts_CallerIdentityAndAssumeRole_InARegionalEndpoint()
    {
        var cli = Cli("eu-west-1");
        var roleArn = Account.AddRole("auditor");

        var identity = await JsonAsync(cli, "sts", "get-caller-identity");
        var assumed = await JsonAsync(cli, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "cli");
        var credentials = assumed["Credentials"]!;
        var asRole = await Tool.RunAsync(AwsCli.Executable,
            ["--endpoint-url", Server.BaseUrl.ToString(), "--output", "json", "sts", "get-caller-identity"],
            TimeSpan.FromSeconds(60),
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = credentials["AccessKeyId"]!.GetValue<string>(),
                ["AWS_SECRET_ACCESS_KEY"] = credentials["SecretAccessKey"]!.GetValue<string>(),
                ["AWS_SESSION_TOKEN"] = credentials["SessionToken"]!.GetValue<string>(),
                ["AWS_DEFAULT_REGION"] = "eu-west-1",
            });

        Assert.Equal("123456789012", identity["Account"]!.GetValue<string>());
        Assert.True(asRole.ExitCode == 0, asRole.ToString());
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/auditor/cli", JsonNode.Parse(asRole.Stdout)!["Arn"]!.GetValue<string>());
    }

    [AwsCliFact]
    public async Task Sts_AssumeRoleIntoAMemberWithExternalId_IsAllowedAndWithoutItAccessDenied()
    {
        var member = Server.State.AddAccount("222222222222");
        var roleArn = member.AddRole("MfaRuleMember", $$$"""
            {"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account.AccountId}}}:root"},"Action":"sts:AssumeRole",
              "Condition":{"StringEquals":{"sts:ExternalId":"mfa-rule"} } }]}
            """);
        var cli = Cli("eu-west-1");

        var assumed = await JsonAsync(cli, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "mfa-config-rule",
            "--external-id", "mfa-rule", "--duration-seconds", "900");
        var refused = await cli.RunAsync("sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "mfa-config-rule");

        Assert.Equal("arn:aws:sts::222222222222:assumed-role/MfaRuleMember/mfa-config-rule", assumed["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        Assert.Equal(Clock.GetUtcNow().AddSeconds(900), DateTimeOffset.Parse(assumed["Credentials"]!["Expiration"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("(AccessDenied)", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("is not authorized to perform: sts:AssumeRole on resource: " + roleArn, refused.Stderr, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task Organizations_ListAccounts_IsPaginatedByTheCliToEveryAccount()
    {
        var organization = Server.State.CreateOrganization(Account);
        foreach (var i in Enumerable.Range(1, 22)) organization.Join(Server.State.AddAccount($"3000000000{i:00}"), $"member-{i}");

        var listed = await JsonAsync(Cli(), "organizations", "list-accounts");
        var fromMember = await new AwsCli(Server.BaseUrl, Server.State.FindAccount("300000000001")!.RootCredentials.AccessKeyId,
            Server.State.FindAccount("300000000001")!.RootCredentials.SecretAccessKey).RunAsync("organizations", "list-accounts");

        var accounts = listed["Accounts"]!.AsArray();
        Assert.Equal(23, accounts.Count);
        Assert.Equal("member-1", accounts.Single(a => a!["Id"]!.GetValue<string>() == "300000000001")!["Name"]!.GetValue<string>());
        Assert.Equal("ACTIVE", accounts[0]!["Status"]!.GetValue<string>());
        Assert.Contains("(AccessDeniedException)", fromMember.Stderr, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task Ssm_GetAutomationExecution_ShowsTheCallersOwnExecutionAndIsNotFoundElsewhere()
    {
        var member = Server.State.AddAccount("222222222222");
        var execution = Account.Ssm("eu-west-1").StartAutomationExecution("MfaConfigRule-Remediation",
            new Dictionary<string, IReadOnlyList<string>> { ["IAMResourceId"] = ["AIDAALICE000000000001"], ["DryRun"] = ["false"] });
        var id = execution.AutomationExecutionId;

        var running = await JsonAsync(Cli("eu-west-1"), "ssm", "get-automation-execution", "--automation-execution-id", id);
        Account.Ssm("eu-west-1").Finish(id, "Success");
        var finished = await JsonAsync(Cli("eu-west-1"), "ssm", "get-automation-execution", "--automation-execution-id", id);
        var otherRegion = await Cli("us-east-1").RunAsync("ssm", "get-automation-execution", "--automation-execution-id", id);
        var otherAccount = await new AwsCli(Server.BaseUrl, member.RootCredentials.AccessKeyId, member.RootCredentials.SecretAccessKey, "eu-west-1")
            .RunAsync("ssm", "get-automation-execution", "--automation-execution-id", id);

        var detail = running["AutomationExecution"]!;
        Assert.Equal((id, "MfaConfigRule-Remediation", "InProgress"),
            (detail["AutomationExecutionId"]!.GetValue<string>(), detail["DocumentName"]!.GetValue<string>(), detail["AutomationExecutionStatus"]!.GetValue<string>()));
        Assert.Equal("AIDAALICE000000000001", detail["Parameters"]!["IAMResourceId"]![0]!.GetValue<string>());
        Assert.NotNull(detail["ExecutionStartTime"]);
        Assert.Equal("Success", finished["AutomationExecution"]!["AutomationExecutionStatus"]!.GetValue<string>());
        Assert.NotNull(finished["AutomationExecution"]!["ExecutionEndTime"]);
        Assert.Contains("(AutomationExecutionNotFoundException)", otherRegion.Stderr, StringComparison.Ordinal);
        Assert.Contains("(AutomationExecutionNotFoundException)", otherAccount.Stderr, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task Config_RuleEvaluationsAndHistory_ThroughTheCli()
    {
        var cli = Cli("eu-west-1");
        Account.SeedUsers([new UserSeed("alice")]);
        var userId = Account.FindUser("alice")!.UserId;
        var evaluation = $"ComplianceResourceType=AWS::IAM::User,ComplianceResourceId={userId},ComplianceType=NON_COMPLIANT,Annotation=no MFA,OrderingTimestamp=2026-01-15T08:55:00Z";

        await JsonAsync(cli, "configservice", "put-config-rule", "--config-rule",
            """{"ConfigRuleName":"mfa","Source":{"Owner":"CUSTOM_LAMBDA","SourceIdentifier":"arn:aws:lambda:eu-west-1:123456789012:function:mfa","SourceDetails":[{"EventSource":"aws.config","MessageType":"ScheduledNotification"}]}}""");
        var rules = await JsonAsync(cli, "configservice", "describe-config-rules", "--config-rule-names", "mfa");
        var testMode = await JsonAsync(cli, "configservice", "put-evaluations", "--test-mode", "--result-token", "anything", "--evaluations", evaluation);
        var afterTestMode = Account.Config("eu-west-1").Results("mfa").Count;
        var badToken = await cli.RunAsync("configservice", "put-evaluations", "--result-token", "made-up", "--evaluations", evaluation);
        var token = Account.Config("eu-west-1").IssueResultToken("mfa");
        await JsonAsync(cli, "configservice", "put-evaluations", "--result-token", token, "--evaluations", evaluation);
        var details = await JsonAsync(cli, "configservice", "get-compliance-details-by-config-rule", "--config-rule-name", "mfa", "--compliance-types", "NON_COMPLIANT");
        var byResource = await JsonAsync(cli, "configservice", "get-compliance-details-by-resource", "--resource-type", "AWS::IAM::User", "--resource-id", userId,
            "--compliance-types", "COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE");
        var start = await cli.RunAsync("configservice", "start-config-rules-evaluation", "--config-rule-names", "mfa");
        var startAgain = await cli.RunAsync("configservice", "start-config-rules-evaluation", "--config-rule-names", "mfa");
        var history = await JsonAsync(cli, "configservice", "get-resource-config-history", "--resource-type", "AWS::IAM::User", "--resource-id", userId, "--limit", "1");
        var discovered = await JsonAsync(cli, "configservice", "list-discovered-resources", "--resource-type", "AWS::IAM::User", "--resource-ids", userId);

        Assert.Equal("mfa", rules["ConfigRules"]![0]!["ConfigRuleName"]!.GetValue<string>());
        Assert.Empty(testMode["FailedEvaluations"]!.AsArray());
        Assert.Equal(0, afterTestMode);
        Assert.Contains("(InvalidResultTokenException)", badToken.Stderr, StringComparison.Ordinal);
        var result = details["EvaluationResults"]![0]!;
        Assert.Equal(userId, result["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!["ResourceId"]!.GetValue<string>());
        Assert.Equal("no MFA", result["Annotation"]!.GetValue<string>());
        Assert.Equal("2026-01-15T08:55:00+00:00", result["EvaluationResultIdentifier"]!["OrderingTimestamp"]!.GetValue<string>());
        // What ReportChangesOnly compares with and ages by: the AWS CLI parses both times from the double's answer.
        Assert.Equal("2026-01-15T09:00:00+00:00", result["ResultRecordedTime"]!.GetValue<string>());
        Assert.Equal("2026-01-15T09:00:00+00:00", result["ConfigRuleInvokedTime"]!.GetValue<string>());
        var ofUser = byResource["EvaluationResults"]![0]!;
        Assert.Equal("mfa", ofUser["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!["ConfigRuleName"]!.GetValue<string>());
        Assert.Equal("2026-01-15T09:00:00+00:00", ofUser["ConfigRuleInvokedTime"]!.GetValue<string>());
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Contains("(LimitExceededException)", startAgain.Stderr, StringComparison.Ordinal);
        Assert.Equal("alice", JsonNode.Parse(history["configurationItems"]![0]!["configuration"]!.GetValue<string>())!["userName"]!.GetValue<string>());
        Assert.Equal("alice", discovered["resourceIdentifiers"]![0]!["resourceName"]!.GetValue<string>());
    }

    [AwsCliFact]
    public async Task CloudTrail_LookupEvents_SeesIamChangesAfterTheLag()
    {
        var cli = Cli();
        await JsonAsync(cli, "iam", "create-user", "--user-name", "alice");
        await JsonAsync(cli, "iam", "create-login-profile", "--user-name", "alice", "--password", "Correct-Horse-1!");
        Clock.Advance(new AwsDoubleOptions().CloudTrailLag);

        var events = await JsonAsync(cli, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=ResourceName,AttributeValue=alice",
            "--start-time", DoubleClock.DefaultStart.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture));

        Assert.Equal(["CreateLoginProfile", "CreateUser"], events["Events"]!.AsArray().Select(e => e!["EventName"]!.GetValue<string>()));
        Assert.Equal("2026-01-15T09:00:00+00:00", events["Events"]![0]!["EventTime"]!.GetValue<string>());
    }

    [AwsCliFact]
    public async Task Iam_ManagedPolicyAttachments_AreAttachedListedDetachedAndQuotaLimited()
    {
        var cli = Cli();
        await JsonAsync(cli, "iam", "create-user", "--user-name", "alice");
        var policy = await JsonAsync(cli, "iam", "create-policy", "--policy-name", "enforce-mfa", "--path", "/mfa-rule/",
            "--policy-document", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
        var arn = policy["Policy"]!["Arn"]!.GetValue<string>();
        await JsonAsync(cli, "iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", arn);
        var attached = await JsonAsync(cli, "iam", "list-attached-user-policies", "--user-name", "alice");
        var entities = await JsonAsync(cli, "iam", "list-entities-for-policy", "--policy-arn", arn, "--entity-filter", "User");
        await JsonAsync(cli, "iam", "detach-user-policy", "--user-name", "alice", "--policy-arn", arn);
        var detachAgain = await cli.RunAsync("iam", "detach-user-policy", "--user-name", "alice", "--policy-arn", arn);
        var missing = await cli.RunAsync("iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", "arn:aws:iam::123456789012:policy/nope");
        Account.ManagedPoliciesPerUser = 0;
        var quota = await cli.RunAsync("iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", arn);

        Assert.Equal("arn:aws:iam::123456789012:policy/mfa-rule/enforce-mfa", arn);
        Assert.Equal("enforce-mfa", attached["AttachedPolicies"]![0]!["PolicyName"]!.GetValue<string>());
        Assert.Equal(arn, attached["AttachedPolicies"]![0]!["PolicyArn"]!.GetValue<string>());
        Assert.Equal("alice", entities["PolicyUsers"]![0]!["UserName"]!.GetValue<string>());
        Assert.Matches("^AIDA", entities["PolicyUsers"]![0]!["UserId"]!.GetValue<string>());
        Assert.Contains("(NoSuchEntity)", detachAgain.Stderr, StringComparison.Ordinal);
        Assert.Contains("(NoSuchEntity)", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("(LimitExceeded)", quota.Stderr, StringComparison.Ordinal);
        Assert.Contains("Cannot exceed quota for PoliciesPerUser: 0", quota.Stderr, StringComparison.Ordinal);
        Assert.Empty(Account.FindUser("alice")!.AttachedPolicyArns);
    }

    [AwsCliFact]
    public async Task Iam_UpdateUserAndDeleteLoginProfile_RenameKeepsTheIdAndRemovesThePassword()
    {
        var cli = Cli();
        var created = await JsonAsync(cli, "iam", "create-user", "--user-name", "alice");
        await JsonAsync(cli, "iam", "create-login-profile", "--user-name", "alice", "--password", "Correct-Horse-1!");
        await JsonAsync(cli, "iam", "update-user", "--user-name", "alice", "--new-user-name", "alice2");
        var renamed = await JsonAsync(cli, "iam", "get-user", "--user-name", "alice2");
        var oldName = await cli.RunAsync("iam", "get-user", "--user-name", "alice");
        await JsonAsync(cli, "iam", "delete-login-profile", "--user-name", "alice2");
        var profile = await cli.RunAsync("iam", "get-login-profile", "--user-name", "alice2");

        Assert.Equal(created["User"]!["UserId"]!.GetValue<string>(), renamed["User"]!["UserId"]!.GetValue<string>());
        Assert.Equal("arn:aws:iam::123456789012:user/alice2", renamed["User"]!["Arn"]!.GetValue<string>());
        Assert.Contains("(NoSuchEntity)", oldName.Stderr, StringComparison.Ordinal);
        Assert.Contains("(NoSuchEntity)", profile.Stderr, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task Iam_EnrolmentAsAnIamUser_RefusedCodesThenTheCleanUpAreWhatTheCliExpects()
    {
        Account.SeedUsers([new UserSeed("bob")]);
        var key = Account.CreateAccessKey("bob");
        var bob = new AwsCli(Server.BaseUrl, key.AccessKeyId, key.SecretAccessKey);

        var identity = await JsonAsync(bob, "sts", "get-caller-identity");
        var device = await JsonAsync(bob, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "bob",
            "--outfile", "/dev/null", "--bootstrap-method", "QRCodePNG");
        var serial = device["VirtualMFADevice"]!["SerialNumber"]!.GetValue<string>();
        var taken = await bob.RunAsync("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "bob",
            "--outfile", "/dev/null", "--bootstrap-method", "Base32StringSeed");
        var refused = await bob.RunAsync("iam", "enable-mfa-device", "--user-name", "bob", "--serial-number", serial,
            "--authentication-code1", "123456", "--authentication-code2", "654321");
        var deleted = await bob.RunAsync("iam", "delete-virtual-mfa-device", "--serial-number", serial);

        Assert.Equal("arn:aws:iam::123456789012:user/bob", identity["Arn"]!.GetValue<string>());
        Assert.Equal("arn:aws:iam::123456789012:mfa/bob", serial);
        Assert.Contains("(EntityAlreadyExists)", taken.Stderr, StringComparison.Ordinal);
        Assert.Contains("(InvalidAuthenticationCode)", refused.Stderr, StringComparison.Ordinal);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Empty(Account.VirtualMfaDevices);
    }

    private static async Task<JsonObject> JsonAsync(AwsCli cli, params string[] arguments)
    {
        var run = await cli.RunAsync(arguments);
        Assert.True(run.ExitCode == 0, $"aws {string.Join(' ', arguments)}: {run}");
        return run.Stdout.Trim().Length == 0 ? [] : (JsonObject)JsonNode.Parse(run.Stdout)!;
    }
}
