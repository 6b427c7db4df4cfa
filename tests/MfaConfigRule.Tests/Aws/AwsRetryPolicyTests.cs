using MfaConfigRule.Aws;

namespace MfaConfigRule.Tests.Aws;

public sealed class AwsRetryPolicyTests
{
    private static readonly AwsRetryPolicy Policy = new(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(5, 1000)]
    [InlineData(60, 1000)]
    public void DelayAfter_HalfDraw_IsHalfACeilingThatDoublesUpToTheCap(int attempt, int ceilingMilliseconds)
    {
        var delay = Policy.DelayAfter(attempt, 0.5);

        Assert.Equal(TimeSpan.FromMilliseconds(ceilingMilliseconds * 0.5), delay);
    }

    [Fact]
    public void DelayAfter_ZeroDraw_WaitsNotAtAll() =>
        Assert.Equal(TimeSpan.Zero, Policy.DelayAfter(4, 0));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void DelayAfter_DrawOutsideUnitInterval_Throws(double jitter) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.DelayAfter(1, jitter));

    [Theory]
    [InlineData("Throttling")]
    [InlineData("ThrottlingException")]
    [InlineData("ThrottledException")]
    [InlineData("RequestLimitExceeded")]
    [InlineData("TooManyRequestsException")]
    [InlineData("RequestThrottled")]
    [InlineData("RequestThrottledException")]
    [InlineData("SlowDown")]
    [InlineData("PriorRequestNotComplete")]
    [InlineData("RequestTimeout")]
    public void IsRetryable_ThrottlingOrTimeoutCode_IsTrue(string code) =>
        Assert.True(AwsRetryPolicy.IsRetryable(400, code));

    [Theory]
    [InlineData(500, "ServiceFailure")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(502, "Http502")]
    [InlineData(429, "Http429")]
    public void IsRetryable_ServerErrorOrTooManyRequests_IsTrue(int status, string code) =>
        Assert.True(AwsRetryPolicy.IsRetryable(status, code));

    [Theory]
    [InlineData(400, "LimitExceededException")]
    [InlineData(409, "LimitExceeded")]
    [InlineData(404, "NoSuchEntity")]
    [InlineData(403, "AccessDenied")]
    [InlineData(400, "ValidationException")]
    [InlineData(404, "ReportInProgress")]
    public void IsRetryable_ClientError_IsFalse(int status, string code) =>
        Assert.False(AwsRetryPolicy.IsRetryable(status, code));

    [Fact]
    public void Constructor_NoAttempts_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AwsRetryPolicy(0, TimeSpan.Zero, TimeSpan.Zero));
}
