using System.Diagnostics;
using System.Globalization;
using Amazon.CDK;
using Amazon.JSII.Runtime.Deputy;

namespace MfaConfigRule.Infra.Bundling;

/// <summary>
/// Builds the Lambda bootstrap on this machine during synthesis: a Native AOT <c>dotnet publish</c> of the rule
/// project for linux-x64, the executable copied to <c>bootstrap</c> and nothing else in the asset.
/// </summary>
/// <remarks>
/// It derives from jsii's <see cref="DeputyBase"/> on purpose: CDK 2.160 only calls <see cref="TryBundle"/> on a .NET
/// object the jsii kernel can proxy. A plain class that implements <see cref="ILocalBundling"/> compiles, is never
/// called, and CDK silently falls back to Docker, which these machines do not have.
/// </remarks>
internal sealed class AotBootstrapBundler : DeputyBase, ILocalBundling
{
    /// <summary>glibc of Amazon Linux 2023, the OS under <c>provided.al2023</c>.</summary>
    public static readonly Version LambdaGlibc = new(2, 34);

    private const string ExecutableName = "mfa-config-rule";

    private readonly string _projectPath;

    public AotBootstrapBundler(string projectPath)
    {
        _projectPath = projectPath;
    }

    public bool TryBundle(string outputDir, IBundlingOptions options)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the Lambda bootstrap is a linux-x64 Native AOT build: synthesize on Linux (or WSL)");
        var publishDir = Path.Combine(Path.GetTempPath(), "mfa-config-rule-publish-" + Guid.NewGuid().ToString("N"));
        try
        {
            Publish(publishDir);
            var binary = Path.Combine(publishDir, ExecutableName);
            if (!File.Exists(binary))
                throw new InvalidOperationException(
                    $"dotnet publish of {_projectPath} produced no '{ExecutableName}' executable in {publishDir}; is the AssemblyName still {ExecutableName}?");

            var bootstrap = Path.Combine(outputDir, "bootstrap");
            File.Copy(binary, bootstrap, overwrite: true);
            File.SetUnixFileMode(bootstrap,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            ElfVersionNeeds.EnsureGlibcAtMost(bootstrap, LambdaGlibc);
            return true;
        }
        finally
        {
            if (Directory.Exists(publishDir)) Directory.Delete(publishDir, recursive: true);
        }
    }

    private void Publish(string publishDir)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            ArgumentList =
            {
                "publish", _projectPath, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", publishDir,
                "-nologo", "-nodeReuse:false",
            },
        };
        // `cdk synth` runs this app through `dotnet run`, which hands its MSBuild location to children; an inner
        // publish that inherits it can pick up the outer build's SDK paths instead of resolving its own.
        foreach (var inherited in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath" })
            start.Environment.Remove(inherited);

        Console.Error.WriteLine($"Publishing the Lambda bootstrap (Native AOT, linux-x64): dotnet {string.Join(' ', start.ArgumentList)}");
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("could not start `dotnet`; is the .NET SDK on PATH?");
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"dotnet publish of {_projectPath} failed with exit code {process.ExitCode}; its output is above."));
    }
}
