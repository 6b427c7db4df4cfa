using MfaConfigRule.Aws;

namespace MfaConfigRule.Tests.Aws;

public sealed class ApiCallCounterTests
{
    [Fact]
    public async Task Increment_FromManyThreads_CountsEveryCall()
    {
        var counter = new ApiCallCounter();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++) counter.Increment("iam", worker % 2 == 0 ? "ListUsers" : "ListMFADevices");
        })));

        Assert.Equal(4000, counter.Snapshot()["iam:ListUsers"]);
        Assert.Equal(4000, counter.Snapshot()["iam:ListMFADevices"]);
        Assert.Equal(8000, counter.Total);
    }

    [Fact]
    public void Snapshot_LaterIncrements_DoNotChangeIt()
    {
        var counter = new ApiCallCounter();
        counter.Increment("config", "PutEvaluations");

        var snapshot = counter.Snapshot();
        counter.Increment("config", "PutEvaluations");

        Assert.Equal(1, snapshot["config:PutEvaluations"]);
        Assert.Equal(["config:PutEvaluations"], snapshot.Keys);
    }
}
