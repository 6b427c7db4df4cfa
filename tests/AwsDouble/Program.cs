using System.Globalization;
using System.Runtime.InteropServices;
using AwsDouble;
using AwsDouble.Hosting;
using AwsDouble.Iam;
using AwsDouble.Population;

// The double on its own, for trying the CLI or the rule by hand and for benchmarks:
//   dotnet run --project tests/AwsDouble -- --port 4599 --seed samples-style-population --users 5000
var port = 4599;
string? population = null;
var users = 50;
var heldClock = false;
var reportDelay = CredentialReportTiming.Default.GenerationDelay;
var cloudTrailLag = TimeSpan.FromMinutes(5);
var randomSeed = new AwsDoubleOptions().RandomSeed;
var behaviourSettings = new List<(string Name, string Value)>();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--port": port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": population = Next(); break;
        case "--users": users = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--held-clock": heldClock = true; break;
        case "--report-delay-seconds": reportDelay = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "--cloudtrail-lag-seconds": cloudTrailLag = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "--random-seed": randomSeed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--behaviour":
        {
            var setting = Next();
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new ArgumentException($"--behaviour takes name=value, not '{setting}'");
            behaviourSettings.Add((setting[..equals], setting[(equals + 1)..]));
            break;
        }
        case "--help" or "-h":
            Console.WriteLine("""
                AwsDouble: a local IAM/STS/Config/CloudTrail double on 127.0.0.1.
                  --port N                    port to bind (default 4599; 0 picks a free one)
                  --seed samples-style-population
                                              seed users covering every MFA case
                  --users N                   how many users to seed (default 50)
                  --held-clock                hold the clock at 2026-01-15T09:00Z instead of following real time
                  --report-delay-seconds S    credential report generation delay (default 10)
                  --cloudtrail-lag-seconds S  CloudTrail delivery lag (default 300)
                  --random-seed N             seed for IDs, keys and tokens
                  --behaviour NAME=VALUE      an undocumented AWS behaviour to play (repeatable):
                                                ordering=newest-wins|last-write-wins
                                                on-demand=scheduled|change-per-user|both
                                                cloudtrail-delay-seconds=0..900 (overrides --cloudtrail-lag-seconds)
                                                unrestated=kept|dropped
                                                root-password=not_supported|false|true
                                                report-never-completes=false|true
                                                invoked-time=invocation|recorded
                Control: curl http://127.0.0.1:PORT/_double/state
                """);
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; try --help");
            return 2;
    }
}

var behaviours = AwsBehaviours.Today with { CloudTrailDelay = cloudTrailLag };
foreach (var (name, value) in behaviourSettings)
{
    try
    {
        behaviours = behaviours.With(name, value);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

var options = new AwsDoubleOptions
{
    Behaviours = behaviours,
    Port = port,
    RandomSeed = randomSeed,
    Clock = heldClock ? new DoubleClock() : DoubleClock.FollowingRealTime(),
    CredentialReport = CredentialReportTiming.Default with { GenerationDelay = reportDelay },
    CloudTrailLag = cloudTrailLag,
};
await using var server = await AwsDoubleServer.StartAsync(options);
var account = server.DefaultAccount;
if (population is not null)
{
    if (population != Populations.SamplesStyle)
    {
        Console.Error.WriteLine($"unknown population {population}; the one there is: {Populations.SamplesStyle}");
        return 2;
    }
    account.SeedUsers(Populations.SamplesStyleMembers(users, server.Clock.GetUtcNow()).Select(m => m.Seed));
}
Console.WriteLine($"""
    AwsDouble listening on {server.BaseUrl}
      account {account.AccountId}: {account.Users.Count} users
      export AWS_ACCESS_KEY_ID={account.RootCredentials.AccessKeyId}
      export AWS_SECRET_ACCESS_KEY={account.RootCredentials.SecretAccessKey}
      export AWS_REGION=us-east-1 AWS_ENDPOINT_URL={server.BaseUrl}
      /usr/bin/aws --endpoint-url {server.BaseUrl} iam list-users
    Keep it running: paste the exports in a second terminal (or start the double in the background with &). Ctrl+C stops it.
    """);
using var stop = new CancellationTokenSource();
// Ctrl+C, and kill's SIGTERM (a background job started by a script ignores SIGINT).
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
