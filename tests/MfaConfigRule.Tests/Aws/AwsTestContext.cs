using Amazon.Runtime;
using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Aws;

/// <summary>Clients wired to a fake handler, a fake clock and fixed credentials, as the unit tests use them.</summary>
internal sealed class AwsTestContext : IDisposable
{
    public const string AccessKeyId = "AKIDEXAMPLE";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 36, 0, TimeSpan.Zero);

    public AwsTestContext(
        string region = "eu-west-1",
        IReadOnlyDictionary<string, string>? environment = null,
        AwsRetryPolicy? retry = null,
        AWSCredentials? credentials = null,
        TimeSpan? attemptTimeout = null,
        Action<AwsRetryNotice>? onRetry = null)
    {
        Time = new RecordingTimeProvider(Now);
        Clients = AwsClients.Create(new AwsClientOptions
        {
            Region = region,
            Environment = new MfaConfigRule.Tests.TestDoubles.FakeEnvironmentVariables(environment ?? new Dictionary<string, string>()),
            Credentials = credentials ?? new BasicAWSCredentials(AccessKeyId, SecretAccessKey),
            TimeProvider = Time,
            Retry = retry ?? AwsRetryPolicy.Immediate(3),
            AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(20),
            Jitter = () => 0.5,
            HttpHandler = Handler,
            OnRetry = onRetry,
        });
    }

    public RecordingHttpHandler Handler { get; } = new();
    public RecordingTimeProvider Time { get; }
    public AwsClients Clients { get; }

    public void Dispose()
    {
        Clients.Dispose();
        Handler.Dispose();
    }
}

/// <summary>A fake clock that also lets a test wait until code under test has started a timer of a given length.</summary>
internal sealed class RecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Signal)> _waiters = [];
    private readonly List<TimeSpan> _started = [];
    private readonly Lock _gate = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            _started.Add(dueTime);
            foreach (var waiter in _waiters.Where(w => w.DueTime == dueTime).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
        return timer;
    }

    /// <summary>Completes once a timer due after <paramref name="dueTime"/> has been started.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime)
    {
        lock (_gate)
        {
            if (_started.Contains(dueTime)) return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, signal));
            return signal.Task;
        }
    }
}

internal static class TaskExtensions
{
    /// <summary>
    /// Waits for <paramref name="signal"/> while <paramref name="call"/> is still running; if the call ends first, its
    /// exception (or a failure) surfaces instead of the test waiting forever for a point it will never reach.
    /// </summary>
    public static async Task WhileRunning(this Task signal, Task call)
    {
        if (await Task.WhenAny(signal, call) == signal) return;
        await call;
        Assert.Fail("the call ended before the point the test waits for");
    }
}

/// <summary>Recorded wire responses under Fixtures/, copied from the AWS documentation's examples and adapted.</summary>
internal static class Fixture
{
    public static string Read(string relativePath) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));
}
