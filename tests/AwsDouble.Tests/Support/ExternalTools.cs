using System.Diagnostics;
using System.Text;
using MfaConfigRule.TestSupport;

namespace AwsDouble.Tests.Support;

/// <summary>The real AWS CLI v2 from Debian's awscli package, pointed at one endpoint with fixed keys.</summary>
internal sealed class AwsCli(Uri endpoint, string accessKeyId, string secretAccessKey, string region = "us-east-1")
{
    /// <summary>Called by path: the pyenv <c>aws</c> first on PATH is an old v1.</summary>
    public const string Executable = "/usr/bin/aws";

    public static bool IsInstalled => File.Exists(Executable);

    public Task<ToolRun> RunAsync(params string[] arguments) => RunInAsync(region, arguments);

    public Task<ToolRun> RunInAsync(string signingRegion, params string[] arguments) =>
        Tool.RunAsync(Executable, ["--endpoint-url", endpoint.ToString(), "--output", "json", "--no-cli-pager", .. arguments],
            TimeSpan.FromSeconds(60),
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = accessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = secretAccessKey,
                ["AWS_DEFAULT_REGION"] = signingRegion,
                ["AWS_MAX_ATTEMPTS"] = "1",
            });
}

/// <summary><c>moto_server</c> (the machine image's moto 5.x) on a free loopback port, stopped on dispose.</summary>
internal sealed class MotoServer : IAsyncDisposable
{
    private readonly Process _process;

    private MotoServer(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static string? Executable => Tool.Find("moto_server");

    public static async Task<MotoServer> StartAsync()
    {
        var port = Tool.FreeLoopbackPort();
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("moto_server is not on PATH"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited) break;
            try
            {
                using var response = await client.GetAsync(new Uri(endpoint, "moto-api/"));
                return new MotoServer(process, endpoint);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        lock (log) throw new InvalidOperationException($"moto_server did not answer on {endpoint}:\n{log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>A fact that skips, saying why, when the AWS CLI v2 is not at /usr/bin/aws.</summary>
public sealed class AwsCliFactAttribute : FactAttribute
{
    public AwsCliFactAttribute()
    {
        if (!AwsCli.IsInstalled)
            Skip = $"AWS CLI v2 not found at {AwsCli.Executable}: install it with `apt-get update && apt-get install -y awscli` (CI does)";
    }
}

/// <summary>A fact that skips, saying why, when moto_server or boto3 is missing.</summary>
public sealed class MotoFactAttribute : FactAttribute
{
    public MotoFactAttribute()
    {
        if (MotoServer.Executable is null)
            Skip = "moto_server not on PATH: the comparison with moto needs Python with moto 5 (`pip install 'moto[server]' boto3`)";
        else if (Tool.Find("python3") is null)
            Skip = "python3 not on PATH: the moto comparison runs its scenario with boto3";
    }
}
