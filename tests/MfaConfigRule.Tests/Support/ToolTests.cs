namespace MfaConfigRule.Tests.Support;

/// <summary>
/// The one process runner's options the benchmarks and the runbook interpreter rely on: exactly the given AWS
/// variables, a measured run under GNU time, and a cancellation that stops the program.
/// </summary>
public sealed class ToolTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_ExactAwsEnvironment_ProgramSeesOnlyTheGivenAwsVariables()
    {
        var given = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1" };

        var exact = await Tool.RunAsync("/usr/bin/env", [], Limit, given, exactAwsEnvironment: true);
        var safe = await Tool.RunAsync("/usr/bin/env", [], Limit, given);

        Assert.Equal(["AWS_REGION=eu-west-1"], AwsLines(exact));
        Assert.Contains("AWS_CONFIG_FILE=/nonexistent/aws-config", AwsLines(safe));
        Assert.Contains("AWS_REGION=eu-west-1", AwsLines(safe));
    }

    [Fact]
    public async Task RunAsync_WorkingDirectory_IsWhereTheProgramRuns()
    {
        var directory = Directory.CreateTempSubdirectory("tool-test-");
        try
        {
            var run = await Tool.RunAsync("/bin/pwd", [], Limit, workingDirectory: directory.FullName);

            Assert.Equal(directory.FullName, run.Stdout.Trim());
        }
        finally
        {
            directory.Delete();
        }
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsTheProgramAndThrowsTheCancellation()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Tool.RunAsync("/bin/sleep", ["30"], Timeout.InfiniteTimeSpan, cancellationToken: cancel.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [GnuTimeFact]
    public async Task RunMeasuredAsync_ProgramThatHoldsMemory_ReportsItsPeakAndItsExitCode()
    {
        // 64 MB of bytes written (so resident), then exit 3: the peak is the program's, the exit code passes through.
        var big = await Tool.RunMeasuredAsync("/bin/bash", ["-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); exit 3"], Limit);
        var small = await Tool.RunMeasuredAsync("/bin/bash", ["-c", "exit 0"], Limit);

        Assert.Equal(3, big.Run.ExitCode);
        Assert.Equal(0, small.Run.ExitCode);
        Assert.True(big.PeakKb > 64 * 1024, $"peak {big.PeakKb} KB");
        Assert.True(small.PeakKb is > 0 and < 32 * 1024, $"peak {small.PeakKb} KB");
        Assert.True(big.Seconds >= 0 && big.Wall > TimeSpan.Zero);
    }

    private static List<string> AwsLines(ToolRun run) =>
        [.. run.Stdout.Split('\n').Where(l => l.StartsWith("AWS_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}

/// <summary>A fact that skips, saying why, when GNU time is not installed (the benchmarks' run.sh installs it).</summary>
public sealed class GnuTimeFactAttribute : FactAttribute
{
    public GnuTimeFactAttribute()
    {
        if (!File.Exists(Tool.GnuTime)) Skip = $"{Tool.GnuTime} is missing (apt-get install -y time)";
    }
}
