using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AwsDouble.Tests.Support;

/// <summary>The result of running an outside program.</summary>
internal sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs outside programs (the AWS CLI, python) with a clean AWS environment and a time limit.</summary>
internal static class Tool
{
    /// <summary>AWS settings from the developer's shell must not leak in (a profile, a real endpoint, real keys).</summary>
    private static readonly string[] ScrubbedVariables =
    [
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_CONFIG_SERVICE", "AWS_ENDPOINT_URL_CLOUDTRAIL",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CA_BUNDLE",
    ];

    public static async Task<ToolRun> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in ScrubbedVariables) start.Environment.Remove(name);
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = string.Empty;
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} took longer than {timeout}");
        }
        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Whether a program is on PATH (or at that absolute path).</summary>
    public static string? Find(string name)
    {
        if (Path.IsPathRooted(name)) return File.Exists(name) ? name : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The real AWS CLI v2 from Debian's awscli package, pointed at one endpoint with fixed keys.</summary>
internal sealed class AwsCli(Uri endpoint, string accessKeyId, string secretAccessKey, string region = "us-east-1")
{
    /// <summary>Called by path: the pyenv <c>aws</c> first on PATH is an old v1.</summary>
    public const string Executable = "/usr/bin/aws";

    public static bool IsInstalled => File.Exists(Executable);

    public Task<ToolRun> RunAsync(params string[] arguments) => RunInAsync(region, arguments);

    public Task<ToolRun> RunInAsync(string signingRegion, params string[] arguments) =>
        Tool.RunAsync(Executable, ["--endpoint-url", endpoint.ToString(), "--output", "json", "--no-cli-pager", .. arguments],
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = accessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = secretAccessKey,
                ["AWS_DEFAULT_REGION"] = signingRegion,
                ["AWS_MAX_ATTEMPTS"] = "1",
            },
            TimeSpan.FromSeconds(60));
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
