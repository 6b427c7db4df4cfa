namespace AwsDouble.Faults;

/// <summary>What goes wrong with a call.</summary>
public abstract record Fault
{
    /// <summary>The service's throttling error: IAM/STS <c>Throttling</c>, Config/CloudTrail <c>ThrottlingException</c>, 400.</summary>
    public static Fault Throttling() => new ErrorFault(400, null, "Rate exceeded", Throttle: true);

    /// <summary>A 5xx: 500 is IAM <c>ServiceFailure</c> / JSON <c>InternalFailure</c>; 503 is <c>ServiceUnavailable</c>.</summary>
    public static Fault ServerError(int status = 500) => status is >= 500 and <= 599
        ? new ErrorFault(status, null, status == 503 ? "Service is unavailable. Please try again later." : "Request processing has failed due to some unknown error, exception or failure.", Throttle: false)
        : throw new ArgumentOutOfRangeException(nameof(status), status, "a server error is a 5xx status");

    /// <summary>Any error the service could send, by status and code (e.g. 409 LimitExceeded for GenerateCredentialReport).</summary>
    public static Fault Error(int status, string code, string message) => new ErrorFault(status, code, message, Throttle: false);

    /// <summary>The answer comes, correct, but only after <paramref name="delay"/> of real time.</summary>
    public static Fault Latency(TimeSpan delay) => new LatencyFault(delay);

    /// <summary>The connection is aborted before any response.</summary>
    public static Fault DropConnection() => new DropConnectionFault();

    /// <summary>PutEvaluations stores all but the last <paramref name="count"/> of the batch and hands those back in FailedEvaluations.</summary>
    public static Fault FailEvaluations(int count) => count > 0
        ? new FailEvaluationsFault(count)
        : throw new ArgumentOutOfRangeException(nameof(count), count, "fail at least one evaluation");
}

internal sealed record ErrorFault(int Status, string? Code, string Message, bool Throttle) : Fault;

internal sealed record LatencyFault(TimeSpan Delay) : Fault;

internal sealed record DropConnectionFault : Fault;

internal sealed record FailEvaluationsFault(int Count) : Fault;

/// <summary>Which calls a fault hits.</summary>
public abstract record FaultSchedule
{
    /// <summary>The next <paramref name="calls"/> matching calls, then no more.</summary>
    public static FaultSchedule NextCalls(int calls) => calls > 0
        ? new NextCallsSchedule(calls)
        : throw new ArgumentOutOfRangeException(nameof(calls), calls, "at least one call");

    /// <summary>Each matching call with probability <paramref name="probability"/>, drawn from a Random seeded with <paramref name="seed"/>.</summary>
    public static FaultSchedule WithProbability(double probability, int seed) => probability is >= 0 and <= 1
        ? new ProbabilitySchedule(probability, seed)
        : throw new ArgumentOutOfRangeException(nameof(probability), probability, "a probability is between 0 and 1");

    /// <summary>Every matching call until the fault is removed.</summary>
    public static FaultSchedule UntilCleared() => new UntilClearedSchedule();
}

internal sealed record NextCallsSchedule(int Calls) : FaultSchedule;

internal sealed record ProbabilitySchedule(double Probability, int Seed) : FaultSchedule;

internal sealed record UntilClearedSchedule : FaultSchedule;

/// <summary>An injected fault; remove it with <see cref="Dispose"/> or <see cref="FaultInjector.Clear"/>.</summary>
public sealed class FaultHandle : IDisposable
{
    private readonly FaultInjector _owner;
    private readonly Lock _gate = new();
    private readonly Random? _random;
    private int _remaining;
    private int _fired;

    internal FaultHandle(FaultInjector owner, string? service, string? operation, Fault fault, FaultSchedule schedule)
    {
        _owner = owner;
        Service = service;
        Operation = operation;
        Fault = fault;
        Schedule = schedule;
        _remaining = schedule is NextCallsSchedule next ? next.Calls : int.MaxValue;
        _random = schedule is ProbabilitySchedule p ? new Random(p.Seed) : null;
    }

    public string? Service { get; }
    public string? Operation { get; }
    public Fault Fault { get; }
    public FaultSchedule Schedule { get; }

    /// <summary>How many calls this fault has hit so far.</summary>
    public int TimesFired
    {
        get
        {
            lock (_gate) return _fired;
        }
    }

    public void Dispose() => _owner.Remove(this);

    internal bool Fires(string service, string operation)
    {
        if (Service is not null && Service != service) return false;
        if (Operation is not null && Operation != operation) return false;
        lock (_gate)
        {
            if (_remaining <= 0) return false;
            if (_random is not null && _random.NextDouble() >= ((ProbabilitySchedule)Schedule).Probability) return false;
            if (Schedule is NextCallsSchedule) _remaining--;
            _fired++;
            return true;
        }
    }
}

/// <summary>What the faults that fired decided for one call.</summary>
internal sealed record FaultDecision(TimeSpan Latency, bool DropConnection, ErrorFault? Error, int FailEvaluations)
{
    public static FaultDecision None { get; } = new(TimeSpan.Zero, false, null, 0);
}

/// <summary>
/// Faults per service and operation. Every fault whose schedule fires on a call applies: latencies add up, a dropped
/// connection beats an error, the first error wins.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly List<FaultHandle> _faults = [];

    /// <param name="service">The signing name (<see cref="Protocol.AwsServiceNames"/>), or null for every service.</param>
    /// <param name="operation">The API operation (ListUsers, PutEvaluations…), or null for every operation.</param>
    public FaultHandle Inject(string? service, string? operation, Fault fault, FaultSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentNullException.ThrowIfNull(schedule);
        var handle = new FaultHandle(this, service, operation, fault, schedule);
        lock (_gate) _faults.Add(handle);
        return handle;
    }

    public void Clear()
    {
        lock (_gate) _faults.Clear();
    }

    public IReadOnlyList<FaultHandle> Active
    {
        get
        {
            lock (_gate) return [.. _faults];
        }
    }

    internal void Remove(FaultHandle handle)
    {
        lock (_gate) _faults.Remove(handle);
    }

    internal FaultDecision Decide(string service, string operation)
    {
        List<FaultHandle> candidates;
        lock (_gate) candidates = [.. _faults];
        var decision = FaultDecision.None;
        foreach (var handle in candidates)
        {
            if (!handle.Fires(service, operation)) continue;
            decision = handle.Fault switch
            {
                LatencyFault latency => decision with { Latency = decision.Latency + latency.Delay },
                DropConnectionFault => decision with { DropConnection = true },
                ErrorFault error => decision with { Error = decision.Error ?? error },
                FailEvaluationsFault failed => decision with { FailEvaluations = Math.Max(decision.FailEvaluations, failed.Count) },
                _ => decision,
            };
        }
        return decision;
    }
}
