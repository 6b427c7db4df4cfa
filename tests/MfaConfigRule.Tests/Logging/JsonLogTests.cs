using System.Text.Json;
using MfaConfigRule.Logging;
using MfaConfigRule.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Logging;

public sealed class JsonLogTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, 123, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly StringWriter _output = new();

    [Fact]
    public void Info_WithTypedFields_WritesOneJsonObjectWithEveryField()
    {
        var log = new JsonLog(_output, _time);

        log.Info("sweep finished", new LogFields
        {
            ["rule"] = "mfa-for-console-users",
            ["users"] = 12,
            ["reportAgeMs"] = 5_000_000_000L,
            ["seconds"] = 1.25,
            ["periodic"] = true,
            ["reportGenerated"] = new DateTimeOffset(2026, 11, 29, 13, 30, 0, TimeSpan.FromHours(2)),
            ["counts"] = new Dictionary<string, int> { ["NON_COMPLIANT"] = 2, ["COMPLIANT"] = 9, ["NOT_APPLICABLE"] = 1 },
            ["apiCalls"] = LogValue.Counts(new SortedDictionary<string, int> { ["iam:GetLoginProfile"] = 3 }),
            ["unreadable"] = new[] { "alice", "bob" },
            ["missing"] = (string?)null,
        });

        var line = SingleLine();
        Assert.Equal("2026-11-29T12:00:00.123Z", line.GetProperty("timestamp").GetString());
        Assert.Equal("INFO", line.GetProperty("level").GetString());
        Assert.Equal("sweep finished", line.GetProperty("message").GetString());
        Assert.Equal("mfa-for-console-users", line.GetProperty("rule").GetString());
        Assert.Equal(12, line.GetProperty("users").GetInt32());
        Assert.Equal(5_000_000_000L, line.GetProperty("reportAgeMs").GetInt64());
        Assert.Equal(1.25, line.GetProperty("seconds").GetDouble());
        Assert.True(line.GetProperty("periodic").GetBoolean());
        Assert.Equal("2026-11-29T11:30:00.000Z", line.GetProperty("reportGenerated").GetString());
        Assert.Equal(2, line.GetProperty("counts").GetProperty("NON_COMPLIANT").GetInt32());
        Assert.Equal(9, line.GetProperty("counts").GetProperty("COMPLIANT").GetInt32());
        Assert.Equal(3, line.GetProperty("apiCalls").GetProperty("iam:GetLoginProfile").GetInt32());
        Assert.Equal(["alice", "bob"], line.GetProperty("unreadable").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, line.GetProperty("missing").ValueKind);
    }

    [Fact]
    public void Write_FieldOrder_IsBuiltInsThenScopeThenCallerFields()
    {
        var log = new JsonLog(_output, _time);
        using var scope = log.BeginScope("requestId", "req-1");

        log.Info("m", new LogFields { ["b"] = 1, ["a"] = 2 });

        Assert.Equal(["timestamp", "level", "message", "requestId", "b", "a"], SingleLine().EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Write_TimestampFollowsTheTimeProvider()
    {
        var log = new JsonLog(_output, _time);
        log.Info("first");
        _time.Advance(TimeSpan.FromMinutes(90));

        log.Info("second");

        Assert.Equal(["2026-11-29T12:00:00.123Z", "2026-11-29T13:30:00.123Z"], Lines().Select(l => l.GetProperty("timestamp").GetString()));
    }

    [Fact]
    public void Write_EachLevel_UsesLambdaLevelNames()
    {
        var log = new JsonLog(_output, _time, LogLevel.Debug);

        log.Debug("d");
        log.Info("i");
        log.Warn("w");
        log.Error("e");

        Assert.Equal(["DEBUG", "INFO", "WARN", "ERROR"], Lines().Select(l => l.GetProperty("level").GetString()));
    }

    [Fact]
    public void Write_BelowMinimumLevel_WritesNothing()
    {
        var log = new JsonLog(_output, _time, LogLevel.Warn);

        log.Debug("d");
        log.Info("i");
        log.Warn("w");

        Assert.Equal(["w"], Lines().Select(l => l.GetProperty("message").GetString()));
        Assert.False(log.IsEnabled(LogLevel.Info));
        Assert.True(log.IsEnabled(LogLevel.Error));
    }

    [Theory]
    [InlineData("quote \" backslash \\ slash /")]
    [InlineData("two\nlines\r\nand a tab\t and a bell \u0007")]
    [InlineData("<script>&amp;'+</script>")]
    [InlineData("zoë 日本 🔐")]
    public void Write_AwkwardText_StaysOneParseableLineWithTheSameText(string text)
    {
        var log = new JsonLog(_output, _time);

        log.Info(text, new LogFields { [text] = text });

        var raw = _output.ToString();
        Assert.Single(raw.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("\n", raw);
        var line = SingleLine();
        Assert.Equal(text, line.GetProperty("message").GetString());
        Assert.Equal(text, line.GetProperty(text).GetString());
    }

    [Fact]
    public void Write_LoneSurrogate_IsReplacedAndTheLineStaysValid()
    {
        var log = new JsonLog(_output, _time);

        log.Info("broken \ud800 text");

        Assert.Equal("broken \ufffd text", SingleLine().GetProperty("message").GetString());
    }

    [Fact]
    public void Write_HtmlCharacters_AreNotEscapedForReadability()
    {
        var log = new JsonLog(_output, _time);

        log.Info("a <b> & c");

        Assert.Contains("\"a <b> & c\"", _output.ToString());
    }

    [Fact]
    public void Write_WithException_AddsTheExceptionText()
    {
        var log = new JsonLog(_output, _time);

        log.Error("invocation failed", new LogFields { ["errorType"] = "InvalidOperationException" }, new InvalidOperationException("boom"));

        var line = SingleLine();
        Assert.Equal("InvalidOperationException", line.GetProperty("errorType").GetString());
        Assert.StartsWith("System.InvalidOperationException: boom", line.GetProperty("exception").GetString());
    }

    [Fact]
    public void Write_FieldNamedLikeABuiltInOrScopeField_IsRenamedNotDuplicated()
    {
        var log = new JsonLog(_output, _time);
        using var scope = log.BeginScope("requestId", "req-1");

        log.Info("real", new LogFields { ["message"] = "fake", ["level"] = "fake", ["requestId"] = "fake" });

        var line = SingleLine();
        Assert.Equal("real", line.GetProperty("message").GetString());
        Assert.Equal("INFO", line.GetProperty("level").GetString());
        Assert.Equal("req-1", line.GetProperty("requestId").GetString());
        Assert.Equal("fake", line.GetProperty("field_message").GetString());
        Assert.Equal("fake", line.GetProperty("field_level").GetString());
        Assert.Equal("fake", line.GetProperty("field_requestId").GetString());
        Assert.Equal(1, line.EnumerateObject().Count(p => p.Name == "message"));
    }

    [Fact]
    public void Write_NonFiniteNumber_IsWrittenAsStringSoTheLineStaysValid()
    {
        var log = new JsonLog(_output, _time);

        log.Info("m", new LogFields { ["ratio"] = double.NaN });

        Assert.Equal("NaN", SingleLine().GetProperty("ratio").GetString());
    }

    [Fact]
    public void LogFields_SameNameTwice_LastValueWins()
    {
        var log = new JsonLog(_output, _time);
        var fields = new LogFields { ["users"] = 1 };
        fields["users"] = 2;

        log.Info("m", fields);

        Assert.Equal(1, fields.Count);
        Assert.Equal(2, SingleLine().GetProperty("users").GetInt32());
    }

    [Fact]
    public void BeginScope_Nested_WritesBothAndDisposeRestoresTheOuter()
    {
        var log = new JsonLog(_output, _time);

        using (log.BeginScope("requestId", "req-1"))
        {
            using (log.BeginScope("account", "123456789012"))
            {
                log.Info("inner");
            }

            log.Info("outer");
        }

        log.Info("none");

        var lines = Lines();
        Assert.Equal(["timestamp", "level", "message", "requestId", "account"], lines[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["timestamp", "level", "message", "requestId"], lines[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["timestamp", "level", "message"], lines[2].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task BeginScope_ConcurrentFlows_EachSeesItsOwnRequestId()
    {
        var log = new JsonLog(TextWriter.Synchronized(_output), _time);
        var bothInScope = new Barrier(2);

        await Task.WhenAll(Flow("req-a"), Flow("req-b"));

        Assert.All(Lines(), line => Assert.Equal(line.GetProperty("message").GetString(), line.GetProperty("requestId").GetString()));

        Task Flow(string requestId) => Task.Run(() =>
        {
            using var scope = log.BeginScope("requestId", requestId);
            bothInScope.SignalAndWait();
            log.Info(requestId);
        });
    }

    [Fact]
    public void Write_ManyThreadsAtOnce_EveryLineIsWholeAndNoneIsLost()
    {
        // StringWriter is not thread-safe: whole lines here come from the logger's own lock. Dedicated threads, not
        // pool tasks, so the start barrier never waits for the pool to grow.
        var log = new JsonLog(_output, _time);
        const int Writers = 8;
        const int LinesEach = 3000;
        var start = new Barrier(Writers);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, Writers).Select(writer => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                for (var i = 0; i < LinesEach; i++)
                {
                    log.Info(new string('x', i % 50), new LogFields { ["writer"] = writer, ["i"] = i, ["tags"] = new[] { "a", "b" } });
                }
            }
            catch (Exception exception)
            {
                failures.Enqueue(exception);
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(failures);
        var lines = Lines();
        Assert.Equal(Writers * LinesEach, lines.Count);
        var seen = lines.Select(l => (l.GetProperty("writer").GetInt32(), l.GetProperty("i").GetInt32())).ToHashSet();
        Assert.Equal(Writers * LinesEach, seen.Count);
    }

    [Theory]
    [InlineData("debug", null, "DEBUG")]
    [InlineData("WARN", "DEBUG", "WARN")]
    [InlineData(null, "TRACE", "DEBUG")]
    [InlineData(null, "FATAL", "ERROR")]
    [InlineData("loud", "ERROR", "ERROR")]
    [InlineData(null, null, "INFO")]
    [InlineData("nonsense", null, "INFO")]
    public void MinimumLevelFrom_Environment_PrefersLogLevelThenLambdaLevelThenInfo(string? logLevel, string? lambdaLevel, string expected)
    {
        var environment = new FakeEnvironmentVariables();
        environment.Set(JsonLog.LevelEnvironmentVariable, logLevel);
        environment.Set(JsonLog.LambdaLevelEnvironmentVariable, lambdaLevel);

        Assert.Equal(expected, LogLevels.Name(JsonLog.MinimumLevelFrom(environment)));
    }

    private JsonElement SingleLine() => Assert.Single(Lines());

    private List<JsonElement> Lines() =>
        [.. _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
}
