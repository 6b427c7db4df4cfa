using AwsDouble.Hosting;
using AwsDouble.Iam;
using AwsDouble.Population;

namespace MfaConfigRule.Benchmarks.Micro;

/// <summary>A 5,000-user account (IAM's quota) from the double: its credential report and its users' live state.</summary>
internal static class MicroData
{
    public const int Users = 5000;

    public static (string ReportCsv, IReadOnlyList<IamUserSnapshot> Users, DateTimeOffset Now) Account()
    {
        var server = AwsDoubleServer.StartAsync().GetAwaiter().GetResult();
        try
        {
            var now = server.Clock.GetUtcNow();
            server.DefaultAccount.SeedUsers(Populations.SamplesStyleMembers(Users, now).Select(m => m.Seed));
            return (server.DefaultAccount.CredentialReportCsvNow(), server.DefaultAccount.Users, now);
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
