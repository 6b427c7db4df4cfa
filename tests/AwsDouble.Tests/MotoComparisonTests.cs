using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>
/// The same boto3 IAM and STS scenario against moto (a third-party AWS emulator) and against the double must give the
/// same normalized answers, except where moto is known to depart from AWS, which the double must then get right.
/// </summary>
public sealed class MotoComparisonTests : DoubleTest
{
    /// <summary>Where moto departs from AWS's documented behaviour, and what the double must answer instead.</summary>
    private static readonly Dictionary<string, string> MotoDepartures = new(StringComparer.Ordinal)
    {
        // AWS ListUsers honours MaxItems and pages with Marker; moto returns every user on one page.
        ["list_users_page_sizes"] = "[2,2,1]",
        // AWS user IDs are AIDA + 17 upper-case alphanumerics (21 characters, e.g. AIDAIEJCNPAE4EONMASRY in AWS's own
        // samples); moto's are 20 random lower-case ones.
        ["user_beta.UserIdPrefix"] = "\"AIDA\"",
        ["user_beta.UserIdLength"] = "21",
        // AWS echoes PasswordResetRequired as set (true here); moto always answers false.
        ["login_alpha.PasswordResetRequired"] = "true",
    };

    [MotoFact]
    public async Task IamAndStsScenario_MotoAndTheDouble_GiveTheSameAnswers()
    {
        Account.AddRole("cmp-role");
        await using var moto = await MotoServer.StartAsync();
        var root = Account.RootCredentials;
        var now = Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var fromMoto = await RunScenarioAsync(moto.Endpoint, "AKIDMOTOEXAMPLE", "moto-secret", now);
        var fromDouble = await RunScenarioAsync(Server.BaseUrl, root.AccessKeyId, root.SecretAccessKey, now);

        foreach (var (path, expected) in MotoDepartures)
        {
            Assert.Equal(expected, Remove(fromDouble, path)!.ToJsonString());
            Remove(fromMoto, path);
        }
        Assert.Equal(fromMoto.ToJsonString(), fromDouble.ToJsonString());
    }

    private static async Task<JsonObject> RunScenarioAsync(Uri endpoint, string accessKeyId, string secret, string now)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Scenarios", "iam_sts_scenario.py");
        var run = await Tool.RunAsync("python3", [script, endpoint.ToString().TrimEnd('/'), accessKeyId, secret, now], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"scenario against {endpoint} failed: {run}");
        return (JsonObject)JsonNode.Parse(run.Stdout)!;
    }

    private static JsonNode? Remove(JsonObject root, string path)
    {
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(root, (node, key) => (JsonObject)node[key]!);
        var value = parent[parts[^1]];
        parent.Remove(parts[^1]);
        return value;
    }
}
