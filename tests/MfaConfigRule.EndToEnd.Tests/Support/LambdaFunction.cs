using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// The rule's binary running as a Lambda custom runtime against a <see cref="LoopbackRuntimeApi"/>: one process serves
/// event after event, as a warm Lambda execution environment does, until it is stopped with SIGTERM.
/// </summary>
internal sealed class LambdaFunction : IAsyncDisposable
{
    /// <summary>Lambda's longest timeout: the deadline of an event whose test is not about deadlines.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(15);

    /// <summary>How long a test waits for an outcome before it calls the rule stuck; generous for a loaded CI machine.</summary>
    public static readonly TimeSpan OutcomeWait = TimeSpan.FromMinutes(3);

    private readonly LoopbackRuntimeApi _api;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private int? _exitCode;
    private long _lastStdoutAt;

    private LambdaFunction(string handler, LoopbackRuntimeApi api, Process process)
    {
        Handler = handler;
        _api = api;
        _process = process;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            _stdout.Enqueue(line.Data);
            Interlocked.Exchange(ref _lastStdoutAt, TimeProvider.System.GetTimestamp());
        };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) _stderr.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Handler { get; }
    public LoopbackRuntimeApi RuntimeApi => _api;
    public bool HasExited => _process.HasExited;

    /// <param name="environment">AWS_* and the like for the process; the Runtime API address and handler are added here.</param>
    public static async Task<LambdaFunction> StartAsync(RuleBinary binary, string handler, IReadOnlyDictionary<string, string> environment)
    {
        var api = await LoopbackRuntimeApi.StartAsync();
        var variables = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["AWS_LAMBDA_RUNTIME_API"] = api.HostAndPort,
            ["_HANDLER"] = handler,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "mfa-config-rule-" + handler,
        };
        var start = Tool.StartInfo(binary.FileName, binary.Arguments([]), variables);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{binary.FileName} did not start");
        process.StandardInput.Close();
        return new LambdaFunction(handler, api, process);
    }

    /// <summary>Sends one event and waits for the runtime's answer.</summary>
    public Task<InvocationOutcome> InvokeAsync(string eventJson, TimeSpan? timeout = null) => Enqueue(eventJson, timeout).Outcome;

    /// <summary>
    /// Queues one event with a deadline <paramref name="timeout"/> from now; the outcome task fails if the runtime is stuck.
    /// The deadline is wall-clock time, as Lambda's is: the process reads it against its own clock, not the double's.
    /// </summary>
    public (string RequestId, Task<InvocationOutcome> Outcome) Enqueue(string eventJson, TimeSpan? timeout = null)
    {
        var (requestId, outcome) = _api.Enqueue(eventJson, TimeProvider.System.GetUtcNow() + (timeout ?? DefaultTimeout));
        return (requestId, WaitAsync(requestId, outcome));
    }

    /// <summary>The stdout lines that are JSON objects, in order (the rule's log).</summary>
    public IReadOnlyList<JsonObject> LogLines => _stdout.Select(TryParse).OfType<JsonObject>().ToList();

    /// <summary>Stdout lines that are not one JSON object each: a log that CloudWatch Logs Insights could not read.</summary>
    public IReadOnlyList<string> NonJsonStdout => _stdout.Where(line => TryParse(line) is null).ToList();

    public string Transcript
    {
        get
        {
            var text = new StringBuilder();
            text.AppendLine($"--- {Handler} stdout ---");
            foreach (var line in _stdout) text.AppendLine(line);
            text.AppendLine($"--- {Handler} stderr ---");
            foreach (var line in _stderr) text.AppendLine(line);
            return text.ToString();
        }
    }

    /// <summary>The log lines written for one invocation (they carry its requestId).</summary>
    /// <remarks>
    /// The function writes its lines before it posts its response, but they are read from the pipe on another thread:
    /// lines already written may not be read yet when the response arrives. So this waits for the invocation's first
    /// line (up to 10 s) and then for stdout to be quiet for 200 ms, instead of racing the reader.
    /// </remarks>
    public IReadOnlyList<JsonObject> LogLinesOf(string requestId)
    {
        List<JsonObject> Lines() => LogLines.Where(l => l["requestId"]?.GetValue<string>() == requestId).ToList();
        var started = TimeProvider.System.GetTimestamp();
        while (Lines().Count == 0 && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        while (TimeProvider.System.GetElapsedTime(Interlocked.Read(ref _lastStdoutAt)) < TimeSpan.FromMilliseconds(200)
            && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(12))
            Thread.Sleep(20);
        return Lines();
    }

    /// <summary>Stops the runtime as Lambda does (SIGTERM) and returns its exit code; kills it if it does not stop.</summary>
    public async Task<int> StopAsync()
    {
        if (_exitCode is { } code) return code;
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (kill is not null) await kill.WaitForExitAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"the {Handler} runtime did not stop within 15 s of SIGTERM\n{Transcript}");
            }
        }
        // The parameterless wait also drains the redirected output.
        await _process.WaitForExitAsync();
        _exitCode = _process.ExitCode;
        return _exitCode.Value;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
            await _api.DisposeAsync();
        }
    }

    private async Task<InvocationOutcome> WaitAsync(string requestId, Task<InvocationOutcome> outcome)
    {
        using var done = new CancellationTokenSource();
        var exited = _process.WaitForExitAsync(done.Token);
        var finished = await Task.WhenAny(outcome, exited, Task.Delay(OutcomeWait, done.Token));
        await done.CancelAsync();
        if (finished == outcome) return await outcome;
        if (finished == exited)
        {
            await Task.WhenAny(outcome, Task.Delay(TimeSpan.FromSeconds(1)));
            if (outcome.IsCompleted) return await outcome;
            throw new InvalidOperationException($"the {Handler} runtime exited (code {_process.ExitCode}) without answering event {requestId}\n{Transcript}");
        }
        throw new TimeoutException($"the {Handler} runtime did not answer event {requestId} within {OutcomeWait}\n{Transcript}");
    }

    private static JsonObject? TryParse(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
