using MfaConfigRule.Cli;
using MfaConfigRule.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Cli;

/// <summary>The multi-account evaluate's command line: mistakes are exit 2, named, before any AWS call.</summary>
public sealed class OrganizationEvaluateTests : IDisposable
{
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();
    private int _connections;

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }

    private int Run(params string[] args)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var organization = new OrganizationEvaluate(_stdout, _stderr, time, _ =>
        {
            _connections++;
            throw new InvalidOperationException("no AWS in this test");
        }, new FakeEnvironmentVariables());
        var cli = new CliApp(_stdout, _stderr, time, _ => throw new InvalidOperationException("no AWS in this test"), organization: organization);
        return cli.Run(args);
    }

    [Theory]
    [InlineData("--organization", "need --assume-role")]
    [InlineData("--accounts|111111111111", "need --assume-role")]
    [InlineData("--assume-role|Auditor", "exactly one of --accounts")]
    [InlineData("--assume-role|Auditor|--organization|--accounts|111111111111", "exactly one of --accounts")]
    [InlineData("--assume-role|Auditor|--accounts|111111111111,12", "'12' is not a 12-digit AWS account ID")]
    [InlineData("--assume-role|Bad Role|--organization", "is not an IAM role name")]
    [InlineData("--assume-role|Auditor|--organization|--max-parallel-accounts|0", "--max-parallel-accounts 0 is outside 1-64")]
    [InlineData("--assume-role|Auditor|--organization|--credential-report|report.csv", "cannot be combined with --credential-report")]
    public void Evaluate_BadMultiAccountArguments_ExitTwoNamingTheMistakeWithoutConnecting(string arguments, string message)
    {
        var exit = Run(["evaluate", .. arguments.Split('|')]);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Contains(message, _stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _connections);
    }
}
