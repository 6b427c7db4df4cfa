using MfaConfigRule.Contract;
using MfaConfigRule.Hosting;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;

namespace MfaConfigRule.Functions;

/// <summary>
/// The entry points of the one executable, by the name the function's <c>Handler</c> setting gives
/// (<c>_HANDLER</c>): <c>evaluate</c>, <c>trigger</c>, <c>remediate</c>. Each factory builds its handler at init.
/// </summary>
internal sealed class HandlerRegistry
{
    /// <summary>The error type Lambda shows when the Handler setting names no known entry point.</summary>
    public const string HandlerNotFoundErrorType = "Runtime.HandlerNotFound";

    private readonly Dictionary<string, Func<LambdaHandler>> _factories = new(StringComparer.Ordinal);

    /// <summary>
    /// The rule's entry points: <c>evaluate</c> (invoked by Config), <c>trigger</c> (EventBridge, or SQS in the
    /// Organization) and <c>remediate</c> (the SSM remediation document, and on a schedule to lift remediation).
    /// </summary>
    public static HandlerRegistry For(IEnvironmentVariables environment, JsonLog log, TimeProvider time)
    {
        var functions = new FunctionEnvironment(environment, time);
        return new HandlerRegistry()
            .Add("evaluate", () => EvaluateFunction.Create(functions, log, time))
            .Add("trigger", () => TriggerFunction.Create(functions, log, time))
            .Add("remediate", () => RemediateFunction.Create(functions, log, time));
    }

    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    public HandlerRegistry Add(string name, Func<LambdaHandler> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(name, factory)) throw new ArgumentException($"handler '{name}' is already registered", nameof(name));
        return this;
    }

    /// <summary>
    /// Builds the handler the name selects. An unknown or empty name fails with a message that lists the valid names,
    /// which the bootstrap reports as the initialization error.
    /// </summary>
    public LambdaHandler Create(string? handlerName)
    {
        var name = handlerName?.Trim();
        if (!string.IsNullOrEmpty(name) && _factories.TryGetValue(name, out var factory)) return factory();
        var valid = string.Join(", ", Names);
        throw new LambdaFunctionException(
            HandlerNotFoundErrorType,
            string.IsNullOrEmpty(name)
                ? $"The function's Handler setting ({LambdaHost.HandlerEnvironmentVariable}) is empty. Valid handlers: {valid}."
                : $"The function's Handler setting ({LambdaHost.HandlerEnvironmentVariable}) names an unknown handler '{name}'. Valid handlers: {valid}.");
    }
}
