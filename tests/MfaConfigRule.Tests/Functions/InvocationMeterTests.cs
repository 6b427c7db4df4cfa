using MfaConfigRule.Aws;
using MfaConfigRule.Functions;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Functions;

public sealed class InvocationMeterTests
{
    [Fact]
    public void Meter_CountsOnlyCallsAndTimeSinceItStarted()
    {
        var time = new FakeTimeProvider();
        var calls = new ApiCallCounter();
        calls.Increment("iam", "ListUsers");
        var meter = InvocationMeter.Start(calls, time);

        calls.Increment("iam", "ListUsers");
        calls.Increment("config", "PutEvaluations");
        time.Advance(TimeSpan.FromMilliseconds(1234.9));

        Assert.Equal(new SortedDictionary<string, int>(StringComparer.Ordinal) { ["config:PutEvaluations"] = 1, ["iam:ListUsers"] = 1 }, meter.ApiCalls);
        Assert.Equal(1234, meter.DurationMs);
    }
}
