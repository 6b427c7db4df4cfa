using Amazon.Runtime;
using AwsDouble;
using AwsDouble.Hosting;
using AwsDouble.Iam;
using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Hosting;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Benchmarks.Scenario;

/// <summary>How an account is laid out before it is swept.</summary>
/// <param name="ReportAge">How old the credential report is when the sweeps start (the rule trusts up to 4 hours).</param>
/// <param name="ChangesAfter">When, after the report was generated, the changes are made.</param>
internal sealed record AccountLayout(PopulationKind Population, int Users, TimeSpan ReportAge, TimeSpan ChangesAfter)
{
    /// <summary>About 1% of users changed after the report (at least 5, one of each kind of change).</summary>
    public int ChangeCount => Math.Max(5, Users / 100);
}

/// <summary>
/// The local AWS double holding one account: a population seeded as the account's past, a credential report generated,
/// then a few users changed through the IAM API (so CloudTrail records them) after the report. Sweeps then read it.
/// </summary>
internal sealed class BenchAccount : IAsyncDisposable
{
    public const string Region = "us-east-1";

    private BenchAccount(AwsDoubleServer server, AccountLayout layout, IReadOnlyList<AccountChange> changes)
    {
        Server = server;
        Layout = layout;
        Changes = changes;
    }

    public AwsDoubleServer Server { get; }
    public AccountLayout Layout { get; }
    public IReadOnlyList<AccountChange> Changes { get; }

    /// <summary>The double's clock: the "now" every sweep and verdict is judged against.</summary>
    public DoubleClock Clock => Server.Clock;

    /// <summary>
    /// An account on a held clock: seeded, report generated, changes made <see cref="AccountLayout.ChangesAfter"/> later,
    /// the clock then moved to <see cref="AccountLayout.ReportAge"/> after the report (CloudTrail's 5-minute lag included).
    /// </summary>
    public static async Task<BenchAccount> StartHeldAsync(AccountLayout layout, CancellationToken cancellationToken)
    {
        var server = await AwsDoubleServer.StartAsync(new AwsDoubleOptions { EnableControlEndpoint = false }, cancellationToken);
        try
        {
            server.DefaultAccount.SeedUsers(Mixes.Users(layout.Population, layout.Users, server.Clock.GetUtcNow()));
            using var setup = Connect(server, new ApiCallCounter());
            var reportTime = server.Clock.GetUtcNow();
            await GenerateReportAsync(setup.Iam, server, cancellationToken);
            server.Clock.Advance(layout.ChangesAfter - (server.Clock.GetUtcNow() - reportTime));
            var changes = await AccountChanges.ApplyAsync(server, setup, layout.ChangeCount, cancellationToken);
            server.Clock.Advance(layout.ReportAge - (server.Clock.GetUtcNow() - reportTime));
            return new BenchAccount(server, layout, changes);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// An account whose clock follows real time, for a separate process (the AOT binary) that judges time by the system
    /// clock: the report is ready at once and CloudTrail shows events at once, so the changes are visible right away.
    /// </summary>
    /// <param name="applyChanges">False: no change yet; <see cref="ChangeUsersAsync"/> makes them later (after a first sweep, say).</param>
    /// <param name="randomSeed">The double's seed, which draws the user IDs: accounts that must not share IDs get different seeds.</param>
    public static async Task<BenchAccount> StartRealTimeAsync(AccountLayout layout, CancellationToken cancellationToken, bool applyChanges = true, int? randomSeed = null)
    {
        var options = new AwsDoubleOptions
        {
            RandomSeed = randomSeed ?? new AwsDoubleOptions().RandomSeed,
            EnableControlEndpoint = false,
            Clock = DoubleClock.FollowingRealTime(),
            CredentialReport = CredentialReportTiming.Default with { GenerationDelay = TimeSpan.Zero },
            CloudTrailLag = TimeSpan.Zero,
        };
        var server = await AwsDoubleServer.StartAsync(options, cancellationToken);
        try
        {
            server.DefaultAccount.SeedUsers(Mixes.Users(layout.Population, layout.Users, server.Clock.GetUtcNow()));
            using var setup = Connect(server, new ApiCallCounter());
            await GenerateReportAsync(setup.Iam, server, cancellationToken);
            var changes = applyChanges ? await AccountChanges.ApplyAsync(server, setup, layout.ChangeCount, cancellationToken) : [];
            return new BenchAccount(server, layout, changes);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary><paramref name="count"/> users (by default about 1%, <see cref="AccountLayout.ChangeCount"/>) changed now, through the signed IAM API.</summary>
    public async Task<IReadOnlyList<AccountChange>> ChangeUsersAsync(CancellationToken cancellationToken, int? count = null)
    {
        using var setup = Connect(new ApiCallCounter());
        return await AccountChanges.ApplyAsync(Server, setup, count ?? Layout.ChangeCount, cancellationToken);
    }

    /// <summary>The rule's own AWS clients pointed at the double, counting every request in <paramref name="counter"/>.</summary>
    public AwsClients Connect(ApiCallCounter counter) => Connect(Server, counter);

    /// <summary>What a separate process needs in its environment to reach the double as the account's root user.</summary>
    public IReadOnlyDictionary<string, string> ProcessEnvironment() => ProcessEnvironment(Server);

    /// <summary>The binary's whole AWS environment against <paramref name="server"/>: its endpoint, the default account's root keys, the Region.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment(AwsDoubleServer server) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [AwsEndpoints.EndpointUrlVariable] = server.BaseUrl.ToString().TrimEnd('/'),
        ["AWS_ACCESS_KEY_ID"] = server.DefaultAccount.RootCredentials.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = server.DefaultAccount.RootCredentials.SecretAccessKey,
        ["AWS_REGION"] = Region,
    };

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private static AwsClients Connect(AwsDoubleServer server, ApiCallCounter counter)
    {
        var root = server.DefaultAccount.RootCredentials;
        return AwsClients.Create(new AwsClientOptions
        {
            Region = Region,
            Environment = new FixedEnvironment(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [AwsEndpoints.EndpointUrlVariable] = server.BaseUrl.ToString().TrimEnd('/'),
            }),
            Credentials = new BasicAWSCredentials(root.AccessKeyId, root.SecretAccessKey),
            // Requests are signed with real time, which the double checks signatures against; the double's own clock
            // (held or shifted) is what the sweeps judge report ages and CloudTrail windows by.
            TimeProvider = TimeProvider.System,
            Counter = counter,
        });
    }

    private static async Task GenerateReportAsync(IIamClient iam, AwsDoubleServer server, CancellationToken cancellationToken)
    {
        await iam.GenerateCredentialReportAsync(cancellationToken);
        if (!server.Clock.FollowsRealTime) server.Clock.Advance(server.State.DefaultAccount.CredentialReportTiming.GenerationDelay);
        await iam.GetCredentialReportAsync(cancellationToken);
    }

    private sealed class FixedEnvironment(Dictionary<string, string> values) : IEnvironmentVariables
    {
        public string? Get(string name) => values.GetValueOrDefault(name);

        public void Set(string name, string? value)
        {
            if (value is null) values.Remove(name);
            else values[name] = value;
        }
    }
}
