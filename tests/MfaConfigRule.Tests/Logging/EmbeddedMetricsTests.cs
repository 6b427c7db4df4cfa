using System.Text.Json.Nodes;
using MfaConfigRule.Contract;
using MfaConfigRule.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Logging;

/// <summary>The rule's EMF lines against the specification (TestSupport's <see cref="EmbeddedMetricFormat"/>, written from it).</summary>
public sealed class EmbeddedMetricsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, 123, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly StringWriter _output = new();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryRuleMetric_OnOneLineWithAnAccount_IsValidEmfWithEachValueUnderEachDimensionSet(bool accountMetrics)
    {
        var metrics = EmbeddedMetrics.At(_time).ForAccount("111122223333");
        var value = 1;
        foreach (var metric in RuleMetrics.All(accountMetrics)) metrics.Put(metric, value++);

        var line = Write(metrics, new LogFields { ["rule"] = "r", ["account"] = "111122223333" });

        Assert.Empty(EmbeddedMetricFormat.Problems(line));
        Assert.Equal(Now.ToUnixTimeMilliseconds(), line["_aws"]!["Timestamp"]!.GetValue<long>());
        var extracted = EmbeddedMetricFormat.Extract(line);
        value = 1;
        foreach (var metric in RuleMetrics.All(accountMetrics))
        {
            var expected = value++;
            var found = extracted.Where(m => m.Name == metric.Name).ToList();
            Assert.Equal(metric.DimensionSets.Count, found.Count);
            Assert.All(found, m =>
            {
                Assert.Equal(RuleMetrics.Namespace, m.Namespace);
                Assert.Equal(metric.Unit, m.Unit);
                Assert.Equal(expected, m.Value);
            });
            Assert.Equal(metric.DimensionSets.Select(s => string.Join(',', s)).Order(), found.Select(m => string.Join(',', m.Dimensions.Keys)).Order());
            Assert.All(found.Where(m => m.Dimensions.Count > 0), m => Assert.Equal("111122223333", m.Dimensions[RuleMetrics.AccountDimension]));
        }
        // The line's own fields stay as they were.
        Assert.Equal("r", line["rule"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RuleMetrics_TheSharedList_HasUniqueNamesSpecUnitsAndFewDimensions(bool accountMetrics)
    {
        var all = RuleMetrics.All(accountMetrics);
        Assert.Equal(all.Count, all.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, m => Assert.Contains(m.Unit, EmbeddedMetricFormat.Units));
        Assert.All(all, m => Assert.All(m.DimensionSets, set => Assert.True(set.Count <= EmbeddedMetricFormat.MaxDimensionKeys)));
        Assert.True(all.Count <= EmbeddedMetricFormat.MaxMetricsPerDirective);
        // Cost: with the switch on only the three head counts are filed per account, with it off none (docs/cost.md counts them).
        string[] headCounts = accountMetrics ? ["CompliantUsers", "NonCompliantUsers", "NotApplicableUsers"] : [];
        Assert.Equal(headCounts, all.Where(m => m.PerAccount).Select(m => m.Name));
        Assert.All(all.Where(m => !m.PerAccount), m => Assert.Equal([[]], m.DimensionSets.Select(s => s.ToArray())));
    }

    [Fact]
    public void PerAccountMetric_AccountUnknown_IsLeftOutAndTheLineStaysValid()
    {
        var metrics = EmbeddedMetrics.At(_time).ForAccount(null)
            .Put(RuleMetrics.HeadCounts(perAccount: true)[1], 3)
            .Put(RuleMetrics.UsersWithoutVerdict, 0);

        var line = Write(metrics, new LogFields());

        Assert.Empty(EmbeddedMetricFormat.Problems(line));
        var extracted = Assert.Single(EmbeddedMetricFormat.Extract(line));
        Assert.Equal(RuleMetrics.UsersWithoutVerdict.Name, extracted.Name);
        Assert.Null(line[RuleMetrics.NonCompliantUsers.Name]);
        Assert.Null(line[RuleMetrics.AccountDimension]);
    }

    [Fact]
    public void NoMetric_LineHasNoAwsMember()
    {
        var line = Write(EmbeddedMetrics.At(_time).ForAccount("111122223333"), new LogFields { ["x"] = 1 });

        Assert.Null(line["_aws"]);
        Assert.NotEmpty(EmbeddedMetricFormat.Problems(line));
    }

    [Fact]
    public void Put_SameMetricTwice_KeepsTheLastValue()
    {
        var line = Write(EmbeddedMetrics.At(_time).Put(RuleMetrics.RefusedEvents, 1).Put(RuleMetrics.RefusedEvents, 2), new LogFields());

        Assert.Equal(2, Assert.Single(EmbeddedMetricFormat.Extract(line)).Value);
    }

    [Theory]
    [InlineData("""{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"]],"Metrics":[{"Name":"M"}]}]},"M":1}""", "dimension 'A'")]
    [InlineData("""{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Users"}]}]},"M":1}""", "Unit")]
    [InlineData("""{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":"1"}""", "metric 'M'")]
    [InlineData("""{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1}""", "Timestamp")]
    [InlineData("""{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":1}""", "Dimensions")]
    [InlineData("""{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"]],"Metrics":[{"Name":"M"}]}]},"M":1,"A":7}""", "dimension 'A'")]
    public void Checker_LinesTheSpecificationRejects_AreRejected(string line, string problem)
    {
        Assert.Contains(EmbeddedMetricFormat.Problems(line), p => p.Contains(problem, StringComparison.Ordinal));
    }

    private JsonObject Write(EmbeddedMetrics metrics, LogFields fields)
    {
        new JsonLog(_output, _time).Info("m", metrics.AddTo(fields));
        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Assert.IsType<JsonObject>(JsonNode.Parse(Assert.Single(lines)));
    }
}
