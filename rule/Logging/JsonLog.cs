using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Logging;

/// <summary>
/// A structured logger that writes one JSON object per line (<c>timestamp</c>, <c>level</c>, <c>message</c>, the
/// scoped fields such as <c>requestId</c>, then the caller's fields), the shape Lambda's own JSON log format uses, so
/// CloudWatch Logs Insights and Lambda's log-level filtering read it as is.
/// </summary>
/// <remarks>
/// Lines are built and written under one lock, so concurrent callers never interleave parts of lines; the buffers are
/// reused between lines. Scoped fields live in an <see cref="AsyncLocal{T}"/> of this instance, so each invocation's
/// flow sees its own <c>requestId</c>.
/// </remarks>
internal sealed class JsonLog
{
    public const string LevelEnvironmentVariable = "LOG_LEVEL";
    public const string LambdaLevelEnvironmentVariable = "AWS_LAMBDA_LOG_LEVEL";

    private static readonly string[] BuiltInFields = ["timestamp", "level", "message", "exception"];

    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly AsyncLocal<Scope?> _scope = new();
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _bytes = new(1024);
    private readonly Utf8JsonWriter _json;
    private char[] _chars = new char[1024];

    public JsonLog(TextWriter output, TimeProvider time, LogLevel minimumLevel = LogLevel.Info)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        _output = output;
        _time = time;
        MinimumLevel = minimumLevel;
        // Relaxed escaping keeps names and messages readable in the console (no \u003C for '<'); it still escapes
        // quotes, backslashes and control characters, so every line stays one valid JSON object.
        _json = new Utf8JsonWriter(_bytes, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public LogLevel MinimumLevel { get; }

    /// <summary>
    /// The minimum level from <c>LOG_LEVEL</c>, else from Lambda's <c>AWS_LAMBDA_LOG_LEVEL</c>, else INFO.
    /// </summary>
    public static LogLevel MinimumLevelFrom(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (LogLevels.TryParse(environment.Get(LevelEnvironmentVariable), out var level)) return level;
        if (LogLevels.TryParse(environment.Get(LambdaLevelEnvironmentVariable), out level)) return level;
        return LogLevel.Info;
    }

    public bool IsEnabled(LogLevel level) => level >= MinimumLevel;

    public void Debug(string message, LogFields? fields = null) => Write(LogLevel.Debug, message, fields, exception: null);

    public void Info(string message, LogFields? fields = null) => Write(LogLevel.Info, message, fields, exception: null);

    public void Warn(string message, LogFields? fields = null, Exception? exception = null) => Write(LogLevel.Warn, message, fields, exception);

    public void Error(string message, LogFields? fields = null, Exception? exception = null) => Write(LogLevel.Error, message, fields, exception);

    /// <summary>
    /// Adds a field to every line written from this async flow until the returned handle is disposed
    /// (<c>using var _ = log.BeginScope("requestId", id);</c>).
    /// </summary>
    public IDisposable BeginScope(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        var scope = new Scope(this, name, value, _scope.Value);
        _scope.Value = scope;
        return scope;
    }

    public void Write(LogLevel level, string message, LogFields? fields, Exception? exception)
    {
        if (!IsEnabled(level)) return;
        var scope = _scope.Value;
        var timestamp = _time.GetUtcNow();
        lock (_gate)
        {
            _bytes.ResetWrittenCount();
            _json.Reset(_bytes);
            _json.WriteStartObject();
            _json.WritePropertyName("timestamp");
            LogValue.WriteTimestampValue(_json, timestamp);
            _json.WriteString("level", LogLevels.Name(level));
            _json.WriteString("message", message);
            WriteScope(scope);
            if (fields is not null)
            {
                for (var i = 0; i < fields.Count; i++)
                {
                    var (name, value) = fields.At(i);
                    value.WriteTo(_json, IsTaken(name, scope) ? "field_" + name : name);
                }
            }

            if (exception is not null) _json.WriteString("exception", exception.ToString());
            _json.WriteEndObject();
            _json.Flush();
            WriteLine(_bytes.WrittenSpan);
        }
    }

    // Outermost scope first, so a line reads in the order the scopes were opened.
    private void WriteScope(Scope? scope)
    {
        if (scope is null) return;
        WriteScope(scope.Parent);
        _json.WriteString(scope.Name, scope.Value);
    }

    private static bool IsTaken(string name, Scope? scope)
    {
        if (Array.IndexOf(BuiltInFields, name) >= 0) return true;
        for (var s = scope; s is not null; s = s.Parent)
        {
            if (string.Equals(s.Name, name, StringComparison.Ordinal)) return true;
        }

        return false;
    }

    // One Write call per line: a shared writer such as Console.Out then cannot interleave another line's parts.
    private void WriteLine(ReadOnlySpan<byte> utf8)
    {
        var length = Encoding.UTF8.GetCharCount(utf8) + 1;
        if (_chars.Length < length) _chars = new char[Math.Max(length, _chars.Length * 2)];
        var written = Encoding.UTF8.GetChars(utf8, _chars);
        _chars[written] = '\n';
        _output.Write(_chars, 0, written + 1);
    }

    private sealed class Scope(JsonLog log, string name, string value, Scope? parent) : IDisposable
    {
        public string Name { get; } = name;
        public string Value { get; } = value;
        public Scope? Parent { get; } = parent;

        public void Dispose() => log._scope.Value = Parent;
    }
}
