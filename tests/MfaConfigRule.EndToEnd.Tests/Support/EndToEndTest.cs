using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Config;
using AwsDouble.Hosting;
using AwsDouble.Iam;
using AwsDouble.Population;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// One test's world: a fresh AWS double on 127.0.0.1 whose clock follows real time (the rule's own clock is the real
/// one), a custom Lambda rule in us-east-1, and the rule's binary started as the test asks. Everything a test starts
/// is stopped at the end, and the processes' output goes to the test's output for diagnosis.
/// </summary>
public abstract class EndToEndTest(ITestOutputHelper output) : IAsyncLifetime
{
    protected const string RuleName = "mfa-for-console-users";
    protected const string Region = "us-east-1";

    private readonly List<LambdaFunction> _functions = [];
    private AwsDoubleServer? _aws;
    private AwsActions? _actions;
    private RuleBinary? _binary;

    internal ITestOutputHelper Output => output;
    internal AwsDoubleServer Aws => _aws ?? throw new InvalidOperationException("the double has not started");
    internal DoubleAccount Account => Aws.DefaultAccount;
    internal ConfigRegion Config => Account.Config(Region);
    internal AwsActions Actions => _actions ??= new AwsActions(Aws, Region);
    internal RuleBinary Binary => _binary ?? throw new InvalidOperationException("the rule binary is not ready");
    internal DateTimeOffset Now => Aws.Clock.GetUtcNow();

    /// <summary>A credential report is ready at once, so a sweep does not wait out IAM's generation delay.</summary>
    internal virtual AwsDoubleOptions DoubleOptions => new()
    {
        Clock = DoubleClock.FollowingRealTime(),
        CredentialReport = CredentialReportTiming.Default with { GenerationDelay = TimeSpan.Zero },
    };

    public async Task InitializeAsync()
    {
        _binary = await RuleBinary.GetAsync();
        output.WriteLine(_binary.Description);
        _aws = await AwsDoubleServer.StartAsync(DoubleOptions);
        Config.PutCustomLambdaRule(RuleName);
    }

    /// <summary>Stops everything; then fails the test if a runtime wrote a stdout line that is not one JSON object (its log format).</summary>
    public async Task DisposeAsync()
    {
        var notJson = new List<string>();
        foreach (var function in _functions)
        {
            try
            {
                await function.DisposeAsync();
            }
            finally
            {
                output.WriteLine(function.Transcript);
                notJson.AddRange(function.NonJsonStdout.Select(line => $"{function.Handler}: {line}"));
            }
        }
        _actions?.Dispose();
        if (_aws is not null) await _aws.DisposeAsync();
        Assert.True(notJson.Count == 0, "stdout lines that are not JSON log lines:\n" + string.Join('\n', notJson));
    }

    /// <summary>The environment a deployed function has, pointed at the double: Region, keys it knows, endpoint override.</summary>
    internal Dictionary<string, string> AwsEnvironment() => new(StringComparer.Ordinal)
    {
        ["AWS_REGION"] = Region,
        ["AWS_ACCESS_KEY_ID"] = Account.RootCredentials.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Account.RootCredentials.SecretAccessKey,
        ["AWS_ENDPOINT_URL"] = Aws.BaseUrl.ToString(),
    };

    internal async Task<LambdaFunction> StartFunctionAsync(string handler = "evaluate", IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = AwsEnvironment();
        if (extra is not null)
            foreach (var (name, value) in extra) environment[name] = value;
        var function = await LambdaFunction.StartAsync(Binary, handler, environment);
        _functions.Add(function);
        return function;
    }

    /// <summary>Seeds the samples-style population: every case among the first users, then a realistic mix.</summary>
    internal IReadOnlyList<SeededUser> SeedPopulation(int count, int seed = 1)
    {
        var members = Populations.SamplesStyleMembers(count, Now, seed);
        var snapshots = Account.SeedUsers(members.Select(m => m.Seed));
        return members.Zip(snapshots, (m, s) => new SeededUser(s.UserName, s.UserId, m.Case)).ToList();
    }

    internal static SeededUser First(IEnumerable<SeededUser> users, PopulationCase kind) =>
        users.FirstOrDefault(u => u.Case == kind) ?? throw new InvalidOperationException($"the population has no {kind} user");

    internal IReadOnlyDictionary<string, string> NamesById() => Account.Users.ToDictionary(u => u.UserId, u => u.UserName, StringComparer.Ordinal);

    internal string UserIdOf(string userName) => Account.FindUser(userName)?.UserId ?? throw new InvalidOperationException($"no user {userName} in the double");

    /// <summary>What Config holds for the rule now, as (type, id, verdict, annotation).</summary>
    internal IEnumerable<(string ResourceType, string ResourceId, string ComplianceType, string? Annotation)> StoredResults() => VerdictAssert.Of(Config.Results(RuleName));

    internal string ScheduledEvent(RulePolicy policy, string? resultToken = null) =>
        ConfigEvents.Scheduled(RuleName, resultToken ?? Config.IssueResultToken(RuleName), policy.ParametersJson(), Now);

    /// <summary>The one log line the invocation ended with, checked for the fields every summary line carries.</summary>
    internal static JsonObject SummaryLine(LambdaFunction function, string requestId)
    {
        var lines = function.LogLinesOf(requestId);
        var summary = lines.LastOrDefault(l => l["rule"] is not null || l["eventName"] is not null)
            ?? throw new Xunit.Sdk.XunitException($"no summary log line for {requestId}:\n{function.Transcript}");
        Assert.NotNull(summary["level"]);
        Assert.NotNull(summary["timestamp"]);
        Assert.IsType<JsonObject>(summary["apiCalls"]);
        Assert.True(summary["durationMs"]!.GetValue<int>() >= 0);
        return summary;
    }

    /// <summary>The verdict counts a summary line gives, by compliance type.</summary>
    internal static Dictionary<string, int> Counts(JsonObject summary) =>
        summary["counts"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>(), StringComparer.Ordinal);

    internal static Dictionary<string, int> CountsOf(IEnumerable<string> verdicts) =>
        verdicts.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Waits for a condition the test cannot await directly (a fault that fired, a call that arrived).</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{what} did not happen within {timeout}");
            }
        }
    }
}
