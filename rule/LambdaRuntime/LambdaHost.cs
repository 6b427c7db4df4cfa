using MfaConfigRule.Contract;
using MfaConfigRule.Logging;

namespace MfaConfigRule.LambdaRuntime;

/// <summary>The Lambda front door: wires the Runtime API client and the loop for the real process.</summary>
internal static class LambdaHost
{
    /// <summary>The function's <c>Handler</c> setting, as Lambda passes it to a custom runtime.</summary>
    public const string HandlerEnvironmentVariable = "_HANDLER";

    /// <summary>True inside a Lambda execution environment (or a Runtime API emulator): the Runtime API is there.</summary>
    public static bool IsLambdaEnvironment(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrWhiteSpace(environment.Get(RuntimeApiClient.HostEnvironmentVariable));
    }

    /// <summary>
    /// Serves events with the handler <paramref name="handlerNamed"/> builds for the name <c>_HANDLER</c> gives until <paramref name="stopping"/> is cancelled, and
    /// returns the exit code. The handlers' factories should log through <paramref name="log"/>, so their lines carry
    /// the invocation's <c>requestId</c>.
    /// </summary>
    public static async Task<int> RunAsync(Func<string?, LambdaHandler> handlerNamed, JsonLog log, IEnvironmentVariables environment, TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(handlerNamed);
        ArgumentNullException.ThrowIfNull(environment);
        using var http = RuntimeApiClient.CreateHttpClient();
        var client = new RuntimeApiClient(http, environment);
        var bootstrap = new LambdaBootstrap(
            client,
            () => handlerNamed(environment.Get(HandlerEnvironmentVariable)),
            LambdaBootstrapOptions.FromEnvironment(environment),
            environment,
            time,
            log);
        return await bootstrap.RunAsync(stopping).ConfigureAwait(false);
    }
}
