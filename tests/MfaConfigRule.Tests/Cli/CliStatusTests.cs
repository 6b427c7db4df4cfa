using MfaConfigRule.Aws;
using MfaConfigRule.Cli;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Cli;

public sealed class CliStatusTests
{
    private readonly StringWriter _stderr = new();
    private readonly FakeTimeProvider _time = new(Now);

    private static readonly AwsRetryNotice Throttled = new("iam", "ListMFADevices", "Throttling", 1, 8, TimeSpan.FromSeconds(0.4));

    [Fact]
    public void Report_OnATerminal_RedrawsOneLineAndCountsNeverGoBackwards()
    {
        var status = new CliStatus(_stderr, isTerminal: true, _time);

        foreach (var done in new[] { 50, 100, 120, 50, 120, 100 }) status.Report((done, 120));

        Assert.Equal("\rassessed 50/120 users\rassessed 100/120 users\rassessed 120/120 users" + Environment.NewLine, _stderr.ToString());
    }

    [Fact]
    public void Report_NotATerminal_WritesPlainLinesAtEveryTenthWithoutCarriageReturns()
    {
        var status = new CliStatus(_stderr, isTerminal: false, _time);

        for (var done = 1; done <= 200; done++) status.Report((done, 200));

        var text = _stderr.ToString();
        Assert.DoesNotContain('\r', text);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"assessed {i * 20}/200 users"), text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Report_SmallSweep_StaysQuiet()
    {
        var status = new CliStatus(_stderr, isTerminal: true, _time);

        for (var done = 1; done <= 49; done++) status.Report((done, 49));

        Assert.Equal(string.Empty, _stderr.ToString());
    }

    [Fact]
    public void Waiting_SaysEachWaitOnceOnItsOwnLineEvenMidProgress()
    {
        var status = new CliStatus(_stderr, isTerminal: true, _time);

        status.Report((50, 100));
        status.Waiting("IAM to generate the credential report");
        status.Waiting("IAM to generate the credential report");

        Assert.Equal("\rassessed 50/100 users" + Environment.NewLine + "waiting for IAM to generate the credential report" + Environment.NewLine, _stderr.ToString());
    }

    [Fact]
    public void Retrying_SaysTheFirstAtOnceThenARunningCountEveryTenSeconds()
    {
        var status = new CliStatus(_stderr, isTerminal: false, _time);

        status.Retrying(Throttled);
        status.Retrying(Throttled);
        _time.Advance(TimeSpan.FromSeconds(11));
        status.Retrying(Throttled with { Attempt = 5 });

        var lines = _stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "iam ListMFADevices answered Throttling; retrying with backoff (attempt 2 of 8, next in 0.4 s)",
                "still retrying: 3 retries so far (last: iam ListMFADevices Throttling); a request gives up after 8 attempts",
            ],
            lines);
    }
}
