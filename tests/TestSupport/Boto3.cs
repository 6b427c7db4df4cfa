using Xunit;

namespace MfaConfigRule.TestSupport;

/// <summary>
/// Python 3 with boto3 (the machine image has it with moto; CI installs Debian's <c>python3-boto3</c> when missing), for
/// the tests that run what an SSM <c>aws:executeScript</c> step runs: boto3 against the double.
/// </summary>
public static class Boto3
{
    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (Tool.Find("python3") is null) return "python3 is not on PATH";
        var probe = Tool.RunAsync("python3", ["-c", "import boto3"], TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        return probe.ExitCode == 0 ? null : "python3 cannot import boto3 (`apt-get install python3-boto3`; .ci/run does it as root)";
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why boto3 cannot be used here, or null when it can.</summary>
    public static string? WhyMissing => Missing.Value;

    /// <summary>
    /// The environment a boto3 script gets: the endpoint and Region when given, the given keys (or none at all), and
    /// nothing the machine's own AWS setup could add (no config or credentials file, no instance metadata). Used with
    /// <see cref="Tool"/>, which also drops every inherited <c>AWS_*</c> variable.
    /// </summary>
    public static Dictionary<string, string> Environment(Uri? endpoint, string? region, string? accessKeyId = null, string? secretAccessKey = null, string? sessionToken = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        if (endpoint is not null) environment["AWS_ENDPOINT_URL"] = endpoint.ToString().TrimEnd('/');
        if (region is not null) environment["AWS_REGION"] = environment["AWS_DEFAULT_REGION"] = region;
        if (accessKeyId is not null) environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        if (secretAccessKey is not null) environment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey;
        if (sessionToken is not null) environment["AWS_SESSION_TOKEN"] = sessionToken;
        return environment;
    }
}

/// <summary>A fact that skips, saying why, when python3 with boto3 is not available.</summary>
public sealed class Boto3FactAttribute : FactAttribute
{
    public Boto3FactAttribute()
    {
        if (Boto3.WhyMissing is { } why) Skip = why + "; this test runs a boto3 script against the double";
    }
}
