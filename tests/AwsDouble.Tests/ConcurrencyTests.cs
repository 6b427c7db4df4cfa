using System.Net;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>The rule sweeps with parallel calls; the double's state must stay whole under them.</summary>
public sealed class ConcurrencyTests : DoubleTest
{
    [Fact]
    public async Task ParallelCreatesAndReads_LeaveEveryUserOnceWithADistinctId()
    {
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                var created = await Aws.IamAsync("CreateUser", ("UserName", $"w{worker}-u{i}"));
                Assert.Equal(HttpStatusCode.OK, created.Status);
                await Aws.IamAsync("CreateLoginProfile", ("UserName", $"w{worker}-u{i}"), ("Password", "Correct-Horse-1"));
                await Aws.IamAsync("ListUsers", ("MaxItems", "50"));
                await Aws.IamAsync("GenerateCredentialReport");
            }
        }));

        await Task.WhenAll(workers);

        var users = Account.Users;
        Assert.Equal(120, users.Count);
        Assert.Equal(120, users.Select(u => u.UserId).Distinct().Count());
        Assert.All(users, u => Assert.NotNull(u.LoginProfile));
        Assert.Equal(240, Account.CloudTrailEvents.Count);
        Assert.Equal(240, Account.CloudTrailEvents.Select(e => e.EventId).Distinct().Count());
    }
}
