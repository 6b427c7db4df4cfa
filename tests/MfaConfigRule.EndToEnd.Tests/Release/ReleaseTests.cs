using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MfaConfigRule.EndToEnd.Tests.Release;

/// <summary>
/// The release folder <c>bash infra/release.sh OUT_DIR</c> builds: the Lambda package holds the very binary the
/// end-to-end tests run; the version agrees everywhere; every template passes cfn-lint with warnings on; the CfCT and
/// LZA examples are plain YAML of their tools' schemas and name files that are in the folder; the conformance pack is
/// the template's own rule pointing at each account's own function; SHA256SUMS verifies every file.
/// </summary>
public sealed partial class ReleaseTests(ReleaseFolder release, ITestOutputHelper output) : IClassFixture<ReleaseFolder>
{
    private const string Template = "mfa-config-rule-account.template";
    private const string ConformancePack = "mfa-config-rule-conformance-pack.yaml";
    private const string RolePolicy = "mfa-config-rule-evaluate-role-policy.json";

    private string ZipName => Assert.Single(release.Files(), f => ZipPattern().IsMatch(f));

    [Fact]
    public void Zip_HoldsOnlyTheExecutableBootstrap_ByteForByteTheBinaryTheEndToEndTestsRun()
    {
        output.WriteLine($"{release.Binary.Description}\nrelease.sh took {release.Took.TotalSeconds:F0} s\n{release.Run.Stdout}");
        Assert.True(release.Binary.IsNativeAot, release.Binary.Description);
        using var zip = ZipFile.OpenRead(release.PathOf(ZipName));

        var entry = Assert.Single(zip.Entries);
        Assert.Equal("bootstrap", entry.FullName);
        // The Unix mode in the entry's external attributes: a regular file, executable (Lambda runs it as is).
        Assert.Equal(Convert.ToInt32("100755", 8), (entry.ExternalAttributes >> 16) & 0xFFFF);
        using var stream = entry.Open();
        var packaged = Convert.ToHexString(SHA256.HashData(stream));
        var run = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(release.Binary.FileName)));
        Assert.Equal(run, packaged);
        output.WriteLine($"{ZipName}: {new FileInfo(release.PathOf(ZipName)).Length} bytes, bootstrap {entry.Length} bytes, sha256 {packaged}");
    }

    [Fact]
    public async Task Version_IsTheSameInTheBinaryTheZipsNameAndEveryTemplatesDescription()
    {
        var run = await Tool.RunAsync(release.Binary.FileName, release.Binary.Arguments(["--version"]), TimeSpan.FromMinutes(1));
        var informational = run.Stdout.Trim();
        var version = informational.Split('+')[0];

        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        Assert.Equal($"mfa-config-rule-{version}-lambda.zip", ZipName);
        Assert.Contains(informational, release.Json(Template + ".json")["Description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(informational, (await release.YamlAsync(Template + ".yaml"))["Description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(informational, (await release.YamlAsync(ConformancePack))["Description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sha256Sums_ListsEveryOtherFile_AndVerifies()
    {
        var listed = File.ReadAllLines(release.PathOf("SHA256SUMS")).Select(l => l[66..]).ToList();

        Assert.Equal(release.Files().Where(f => f != "SHA256SUMS"), listed);
        var check = await Tool.RunAsync("sha256sum", ["-c", "--strict", "SHA256SUMS"], TimeSpan.FromMinutes(1), workingDirectory: release.Directory);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal(listed.Count, check.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(": OK", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The same binary and template give the same bytes: the zip and every file derived from the template are built
    /// again (into a second folder, by the scripts release.sh runs) and compared with the release's.
    /// </summary>
    [Fact]
    public async Task Rebuilt_FromTheSameBinaryAndTemplate_IsByteForByteTheSame()
    {
        var again = Path.Combine(Path.GetTempPath(), "mfa-config-rule-release-again-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(again);
        try
        {
            var informational = (await Tool.RunAsync(release.Binary.FileName, release.Binary.Arguments(["--version"]), TimeSpan.FromMinutes(1))).Stdout.Trim();
            var version = informational.Split('+')[0];
            var package = await Tool.RunAsync("python3", ["infra/release/package.py", release.Binary.FileName, Path.Combine(again, ZipName)], TimeSpan.FromMinutes(2));
            Assert.True(package.ExitCode == 0, package.ToString());
            var derive = await Tool.RunAsync("python3", ["infra/release/artifacts.py", release.PathOf(Template + ".json"), again, version, informational, ZipName], TimeSpan.FromMinutes(2));
            Assert.True(derive.ExitCode == 0, derive.ToString());

            var rebuilt = Directory.EnumerateFiles(again, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(again, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(release.Files().Where(f => f != "SHA256SUMS"), rebuilt);
            Assert.All(rebuilt, f => Assert.True(File.ReadAllBytes(release.PathOf(f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(again, f))), $"{f} differs when built again"));
        }
        finally
        {
            Directory.Delete(again, recursive: true);
        }
    }

    [Fact]
    public async Task Templates_PassCfnLint_WithWarningsOn()
    {
        var cfnLint = Tool.Find("cfn-lint");
        Assert.True(cfnLint is not null, "cfn-lint is not on PATH (CI installs it: infra/check-templates.sh)");
        string[] templates = [Template + ".json", Template + ".yaml", ConformancePack, $"cfct/templates/{Template}.yaml"];

        var lint = await Tool.RunAsync(cfnLint, ["--format", "json", "--", .. templates], TimeSpan.FromMinutes(3), workingDirectory: release.Directory);

        // Exit 0 is clean; bits 2, 4 and 8 are errors, warnings and informational findings, read below.
        Assert.True((lint.ExitCode & ~14) == 0, lint.ToString());
        var findings = JsonNode.Parse(lint.Stdout)!.AsArray().Select(f => f!.AsObject()).ToList();
        // The one warning CDK writes into every template (infra/check-templates.sh ignores it the same way): a
        // function that both DependsOn its role and GetAtt's it.
        var failing = findings.Where(f => !(f["Rule"]!["Id"]!.GetValue<string>() == "W3005"
            && f["Message"]!.GetValue<string>().Contains("enforced by a 'GetAtt' at 'Resources/", StringComparison.Ordinal)
            && f["Message"]!.GetValue<string>().EndsWith("/Properties/Role'", StringComparison.Ordinal))).ToList();
        Assert.True(failing.Count == 0, string.Join('\n', failing.Select(f => f.ToJsonString())));
        Assert.All(findings, f => Assert.StartsWith("mfa-config-rule-account.template", f["Filename"]!.GetValue<string>().Split('/')[^1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cfct_ManifestFollowsSchemaV2_NamesItsTemplate_AndPassesOnlyTheTemplatesParameters()
    {
        var manifest = (await release.YamlAsync("cfct", "manifest.yaml")).AsObject();
        var template = release.Json(Template + ".json");
        var parameters = template["Parameters"]!.AsObject();

        // source/src/cfct/validation/manifest-v2.schema.yaml of aws-control-tower-customizations.
        Assert.Subset(new HashSet<string>(["region", "version", "enable_stack_set_deletion", "resources"]), Keys(manifest));
        Assert.Equal("2021-03-15", manifest["version"]!["$date"]!.GetValue<string>());
        var resource = Assert.Single(manifest["resources"]!.AsArray())!.AsObject();
        Assert.Subset(new HashSet<string>(["name", "description", "resource_file", "deployment_targets", "parameter_file", "parameters", "deploy_method", "regions", "export_outputs"]), Keys(resource));
        Assert.Superset(new HashSet<string>(["name", "resource_file", "deployment_targets", "deploy_method"]), Keys(resource));
        Assert.Equal("stack_set", resource["deploy_method"]!.GetValue<string>());
        Assert.NotEmpty(resource["deployment_targets"]!["organizational_units"]!.AsArray());
        Assert.Equal(manifest["region"]!.GetValue<string>(), Assert.Single(resource["regions"]!.AsArray())!.GetValue<string>());

        var resourceFile = resource["resource_file"]!.GetValue<string>();
        Assert.True(File.Exists(release.PathOf("cfct", resourceFile)), $"cfct/{resourceFile} is not in the release");
        Assert.Equal(File.ReadAllBytes(release.PathOf(Template + ".yaml")), File.ReadAllBytes(release.PathOf("cfct", resourceFile)));
        var given = resource["parameters"]!.AsArray().ToDictionary(p => p!["parameter_key"]!.GetValue<string>(), p => p!["parameter_value"]!.GetValue<string>(), StringComparer.Ordinal);
        Assert.Subset(Keys(parameters), given.Keys.ToHashSet(StringComparer.Ordinal));
        // Every parameter without a default is given; CodeKey names this release's zip.
        Assert.Subset(given.Keys.ToHashSet(StringComparer.Ordinal), parameters.Where(p => p.Value!["Default"] is null).Select(p => p.Key).ToHashSet(StringComparer.Ordinal));
        Assert.EndsWith("/" + ZipName, given["CodeKey"], StringComparison.Ordinal);
        Assert.Equal("true", given["CreateRule"]);
    }

    [Fact]
    public async Task Lza_RuleEntryFollowsTheConfigSchema_AndNamesTheZipAndARolePolicyWithTheTemplatesActions()
    {
        var config = (await release.YamlAsync("lza", "security-config.yaml")).AsObject();
        var template = release.Json(Template + ".json");

        // ISecurityConfig.awsConfig.ruleSets[].rules[] (source/packages/@aws-accelerator/config/lib/models/security-config.ts).
        var rule = Assert.Single(Assert.Single(config["awsConfig"]!["ruleSets"]!.AsArray())!["rules"]!.AsArray())!.AsObject();
        Assert.Equal("Custom", rule["type"]!.GetValue<string>());
        var custom = rule["customRule"]!.AsObject();
        Assert.Subset(new HashSet<string>(["lambda", "periodic", "maximumExecutionFrequency", "configurationChanges", "triggeringResources"]), Keys(custom));
        var lambda = custom["lambda"]!.AsObject();
        Assert.Subset(new HashSet<string>(["sourceFilePath", "handler", "runtime", "rolePolicyFile", "timeout"]), Keys(lambda));
        Assert.Equal("provided.al2023", lambda["runtime"]!.GetValue<string>());
        Assert.Contains(custom["maximumExecutionFrequency"]!.GetValue<string>(), new[] { "One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours" });
        Assert.True(custom["periodic"]!.GetValue<bool>());
        Assert.True(custom["configurationChanges"]!.GetValue<bool>());
        Assert.Equal("ResourceTypes", custom["triggeringResources"]!["lookupType"]!.GetValue<string>());
        Assert.Equal(new[] { "AWS::IAM::User" }, custom["triggeringResources"]!["lookupValue"]!.AsArray().Select(v => v!.GetValue<string>()));

        // The function LZA creates runs what the template's function runs: the same zip, handler and timeout.
        var function = EvaluateFunction(template);
        Assert.Equal(function["Handler"]!.GetValue<string>(), lambda["handler"]!.GetValue<string>());
        Assert.Equal(function["Timeout"]!.GetValue<int>(), lambda["timeout"]!.GetValue<int>());
        var source = lambda["sourceFilePath"]!.GetValue<string>();
        Assert.True(File.Exists(release.PathOf("lza", source)), $"lza/{source} is not in the release");
        Assert.Equal(File.ReadAllBytes(release.PathOf(ZipName)), File.ReadAllBytes(release.PathOf("lza", source)));
        var policyFile = lambda["rolePolicyFile"]!.GetValue<string>();
        Assert.True(File.Exists(release.PathOf("lza", policyFile)), $"lza/{policyFile} is not in the release");
        Assert.Equal(File.ReadAllBytes(release.PathOf(RolePolicy)), File.ReadAllBytes(release.PathOf("lza", policyFile)));

        // Its role gets exactly the actions the template's evaluate role has unconditionally on resources other than
        // the template's own; those left out are only the function's log group (LZA's role has
        // AWSLambdaBasicExecutionRole) and its failed-event queue (LZA makes none). No wildcard action.
        var policy = release.Json(RolePolicy);
        var actions = Actions(policy["Statement"]!.AsArray());
        var (kept, left) = UnconditionalStatementsOf(template, function["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        Assert.Equal(Actions(kept), actions);
        Assert.All(Actions(left), a => Assert.True(a.StartsWith("logs:", StringComparison.Ordinal) || a.StartsWith("sqs:", StringComparison.Ordinal), $"{a} on a template resource is left out of the LZA role policy"));
        Assert.DoesNotContain(actions, a => a.Contains('*', StringComparison.Ordinal));
        Assert.All(policy["Statement"]!.AsArray(), s => Assert.DoesNotContain("Fn::", s!.ToJsonString(), StringComparison.Ordinal));

        // Its input parameters are the template rule's, with the template's defaults.
        var inputs = rule["inputParameters"]!.AsObject();
        var ruleInputs = ConfigRule(template)["InputParameters"]!.AsObject();
        Assert.Subset(Keys(ruleInputs), Keys(inputs));
        foreach (var (key, value) in inputs)
            Assert.Equal(template["Parameters"]![key]!["Default"]!.GetValue<string>(), value!.GetValue<string>());
    }

    [Fact]
    public async Task ConformancePack_IsTheTemplatesRule_PointingAtEachAccountsOwnFunction()
    {
        var pack = (await release.YamlAsync(ConformancePack)).AsObject();
        var template = release.Json(Template + ".json");
        var templateRule = ConfigRule(template);

        // A conformance pack holds Config rules (and remediation configurations) only.
        var (_, resource) = Assert.Single(pack["Resources"]!.AsObject());
        Assert.Equal("AWS::Config::ConfigRule", resource!["Type"]!.GetValue<string>());
        var rule = resource["Properties"]!.AsObject();
        Assert.Equal("CUSTOM_LAMBDA", rule["Source"]!["Owner"]!.GetValue<string>());
        Assert.Equal("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${EvaluateFunctionName}", rule["Source"]!["SourceIdentifier"]!["Fn::Sub"]!.GetValue<string>());
        Assert.Equal(EvaluateFunction(template)["FunctionName"]!.GetValue<string>(), pack["Parameters"]!["EvaluateFunctionName"]!["Default"]!.GetValue<string>());
        // Everything else is the template's own rule: triggers, scope, period, name and input parameters.
        foreach (var property in new[] { "ConfigRuleName", "Scope", "InputParameters", "MaximumExecutionFrequency" })
            Assert.True(JsonNode.DeepEquals(templateRule[property], rule[property]), $"{property}: {rule[property]?.ToJsonString()} differs from the template's {templateRule[property]?.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(templateRule["Source"]!["SourceDetails"], rule["Source"]!["SourceDetails"]));
        // Every parameter the rule refers to is the template's, with the same default and constraints.
        foreach (var (name, parameter) in pack["Parameters"]!.AsObject().Where(p => p.Key != "EvaluateFunctionName"))
            Assert.True(JsonNode.DeepEquals(template["Parameters"]![name], parameter), $"parameter {name} differs from the template's");
    }

    private static JsonObject EvaluateFunction(JsonObject template)
    {
        var arn = ConfigRule(template)["Source"]!["SourceIdentifier"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        return template["Resources"]![arn]!["Properties"]!.AsObject();
    }

    private static JsonObject ConfigRule(JsonObject template) =>
        Assert.Single(template["Resources"]!.AsObject(), r => r.Value!["Type"]!.GetValue<string>() == "AWS::Config::ConfigRule").Value!["Properties"]!.AsObject();

    /// <summary>
    /// The statements of every policy attached to the role that exists whatever the parameters (no Condition): those on
    /// resources outside the template (kept), and those naming one of the template's resources (left).
    /// </summary>
    private static (JsonArray Kept, JsonArray Left) UnconditionalStatementsOf(JsonObject template, string roleId)
    {
        var resources = template["Resources"]!.AsObject();
        var statements = new List<JsonNode>();
        foreach (var (_, resource) in resources)
        {
            if (resource!["Condition"] is not null || resource["Type"]!.GetValue<string>() != "AWS::IAM::Policy") continue;
            if (resource["Properties"]!["Roles"]!.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == roleId))
                statements.AddRange(resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.DeepClone()));
        }
        foreach (var inline in resources[roleId]!["Properties"]!["Policies"]?.AsArray() ?? [])
            statements.AddRange(inline!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.DeepClone()));
        var names = resources.Select(r => r.Key).ToList();
        bool OnTemplateResource(JsonNode statement)
        {
            var text = statement.ToJsonString();
            return names.Any(n => text.Contains($"{{\"Ref\":\"{n}\"}}", StringComparison.Ordinal) || text.Contains($"{{\"Fn::GetAtt\":[\"{n}\"", StringComparison.Ordinal));
        }
        return (new JsonArray([.. statements.Where(s => !OnTemplateResource(s))]), new JsonArray([.. statements.Where(OnTemplateResource)]));
    }

    private static IReadOnlyList<string> Actions(JsonArray statements) =>
        statements.SelectMany(s => s!["Action"] is JsonArray list ? list.Select(a => a!.GetValue<string>()) : [s["Action"]!.GetValue<string>()])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static HashSet<string> Keys(JsonObject node) => node.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^mfa-config-rule-\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?-lambda\.zip$")]
    private static partial Regex ZipPattern();
}
