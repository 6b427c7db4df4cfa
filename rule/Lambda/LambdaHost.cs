using MfaConfigRule.Contract;
using MfaConfigRule.Logging;

namespace MfaConfigRule.Lambda;

/// <summary>The Lambda front door: wires the Runtime API client and the loop for the real process.</summary>
internal static class LambdaHost
{
    /// <summary>True inside a Lambda execution environment (or a Runtime API emulator): the Runtime API is there.</summary>
    public static bool IsLambdaEnvironment(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrWhiteSpace(environment.Get(RuntimeApiClient.HostEnvironmentVariable));
    }

    /// <summary>
    /// Serves events with the handler <c>_HANDLER</c> names until <paramref name="stopping"/> is cancelled, and
    /// returns the exit code. The handlers' factories should log through <paramref name="log"/>, so their lines carry
    /// the invocation's <c>requestId</c>.
    /// </summary>
    public static async Task<int> RunAsync(HandlerRegistry handlers, JsonLog log, IEnvironmentVariables environment, TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(environment);
        using var http = RuntimeApiClient.CreateHttpClient();
        var client = new RuntimeApiClient(http, environment);
        var bootstrap = new LambdaBootstrap(
            client,
            () => handlers.Create(environment.Get(HandlerRegistry.HandlerEnvironmentVariable)),
            LambdaBootstrapOptions.FromEnvironment(environment),
            environment,
            time,
            log);
        return await bootstrap.RunAsync(stopping).ConfigureAwait(false);
    }
}
