using MfaConfigRule.Cli;

namespace MfaConfigRule.Tests.Cli;

public sealed class SweepProgressTests
{
    [Fact]
    public void Report_CountsArrivingOutOfOrder_NeverGoBackwardsAndEndWithOneNewline()
    {
        var stderr = new StringWriter();
        var progress = new SweepProgress(stderr);

        foreach (var done in new[] { 50, 100, 120, 50, 120, 100 }) progress.Report((done, 120));

        Assert.Equal("\rassessed 50/120 users\rassessed 100/120 users\rassessed 120/120 users" + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public void Report_SmallSweep_StaysQuiet()
    {
        var stderr = new StringWriter();
        var progress = new SweepProgress(stderr);

        for (var done = 1; done <= 49; done++) progress.Report((done, 49));

        Assert.Equal(string.Empty, stderr.ToString());
    }
}
