using MfaConfigRule.Contract;

namespace MfaConfigRule.LambdaRuntime;

internal sealed record LambdaBootstrapOptions
{
    /// <summary>Set to <c>true</c> to handle one event and exit: local runs and tests, as in the reference runtime.</summary>
    public const string RunOnceEnvironmentVariable = "AWS_LAMBDA_DOTNET_DEBUG_RUN_ONCE";

    public static readonly TimeSpan DefaultDeadlineSafetyMargin = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long before the Lambda deadline the handler's token fires. The margin leaves time to report a clear error
    /// instead of being killed by Lambda's timeout mid-call with nothing reported.
    /// </summary>
    public TimeSpan DeadlineSafetyMargin { get; init; } = DefaultDeadlineSafetyMargin;

    /// <summary>Handle one event, then return.</summary>
    public bool RunOnce { get; init; }

    public static LambdaBootstrapOptions FromEnvironment(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new LambdaBootstrapOptions
        {
            RunOnce = bool.TryParse(environment.Get(RunOnceEnvironmentVariable), out var runOnce) && runOnce,
        };
    }
}
