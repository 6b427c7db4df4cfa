using System.Text.RegularExpressions;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>The one command a new user runs: samples/run-local.sh starts the double, runs the rule, and cleans up.</summary>
public sealed partial class RunLocalScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunLocal_TwentyFiveUsers_PrintsTheVerdictsConfigHoldsAndStopsTheDouble()
    {
        var binary = await RuleBinary.GetAsync();
        output.WriteLine(binary.Description);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        // A published binary saves the script a build; the JIT fallback cannot be named in one path, so the script builds.
        if (binary.IsNativeAot) environment["MFA_RULE_BINARY"] = binary.FileName;

        var run = await Tool.RunAsync("bash", [Repository.PathOf("samples", "run-local.sh"), "25"], TimeSpan.FromMinutes(5), environment);
        output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        // The sample event's parameters: /break-glass/ exempt by path, 72 hours of grace.
        var policy = new RulePolicy { ExemptPathPrefixes = [Populations.ExemptPathPrefix], GracePeriodHours = 72 };
        var expected = Populations.SamplesStyleMembers(25, DateTimeOffset.UnixEpoch).GroupBy(m => policy.VerdictFor(m.Case))
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var held = HeldCount().Matches(run.Stdout).ToDictionary(m => m.Groups[2].Value, m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), held.OrderBy(p => p.Key, StringComparer.Ordinal));
        var url = DoubleUrl().Match(run.Stderr).Groups[1].Value;
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(new Uri(url), "_double/state")));
    }

    [GeneratedRegex(@"^\s+(\d+) (COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE)$", RegexOptions.Multiline)]
    private static partial Regex HeldCount();

    [GeneratedRegex(@"AWS double at (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex DoubleUrl();
}
