using Amazon.Runtime;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Aws;

/// <summary>
/// Everything the AWS clients need from outside. The front doors fill it: the Lambda from its environment, the CLI from
/// its options; tests hand in a dictionary environment, fixed credentials, a fake handler and a fake clock.
/// </summary>
internal sealed record AwsClientOptions
{
    /// <summary>The Region the rule runs in: Config, CloudTrail and STS are called there; IAM goes to its partition's global endpoint.</summary>
    public required string Region { get; init; }

    /// <summary>Source of <c>AWS_ENDPOINT_URL*</c> overrides. Required so that nothing reads the process environment by accident.</summary>
    public required IEnvironmentVariables Environment { get; init; }

    /// <summary>A named profile (the CLI's <c>--profile</c>); ignored when <see cref="Credentials"/> is set.</summary>
    public string? Profile { get; init; }

    /// <summary>Fixed credentials (tests, the local AWS double, an assumed role); otherwise profile or default chain.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>A credential source of its own (an assumed role in a member account); wins over the other two.</summary>
    public AwsCredentialSource? CredentialSource { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public AwsRetryPolicy Retry { get; init; } = AwsRetryPolicy.Default;

    public TimeSpan AttemptTimeout { get; init; } = AwsTransport.DefaultAttemptTimeout;

    /// <summary>Draws in [0, 1) for backoff jitter; null uses <see cref="Random.Shared"/>.</summary>
    public Func<double>? Jitter { get; init; }

    /// <summary>Counts requests per operation; pass one in to share it across client sets.</summary>
    public ApiCallCounter? Counter { get; init; }

    /// <summary>Told of each retry before its wait (the CLI says what it is waiting for); null for none.</summary>
    public Action<AwsRetryNotice>? OnRetry { get; init; }

    /// <summary>The HTTP handler; null uses the process-wide pooled handler. Tests pass a fake.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}
