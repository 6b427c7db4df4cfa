using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Lambda.Destinations;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace MfaConfigRule.Infra.Constructs.Shared;

internal interface IMfaRuleFunctionProps
{
    /// <summary>The bootstrap asset; template tests pass a tiny directory so they do not depend on a build.</summary>
    Code Code { get; }

    /// <summary>The entry point inside the one executable: <c>evaluate</c> or <c>trigger</c> (Lambda passes it as <c>_HANDLER</c>).</summary>
    string Handler { get; }

    string Description { get; }
    int MemorySize { get; }
    Duration Timeout { get; }
    RetentionDays LogRetention { get; }
    IDictionary<string, string>? Environment { get; }

    /// <summary>Executions the function may have at once, reserved from the account's pool; null leaves it unbounded.</summary>
    int? ReservedConcurrency { get; }

    /// <summary>
    /// How often Lambda runs an asynchronous event again after the function failed or timed out (0-2). Throttled events
    /// are not counted: Lambda keeps them in its queue and retries until <see cref="MaxEventAge"/>.
    /// </summary>
    int AsyncRetryAttempts { get; }

    /// <summary>How long Lambda keeps an asynchronous event (queued, throttled or between retries) before dropping it; 1 min-6 h.</summary>
    Duration MaxEventAge { get; }

    /// <summary>
    /// Keep each asynchronous event that failed every attempt or aged out in an SQS queue (the function's failure
    /// destination), for a person to read and replay, instead of Lambda dropping it.
    /// </summary>
    bool KeepFailedEvents { get; }

    /// <summary>A fixed function name (the per-account template's, so a conformance pack can name its ARN); null: CloudFormation names it.</summary>
    string? FunctionName { get; }
}

internal sealed class MfaRuleFunctionProps : IMfaRuleFunctionProps
{
    public required Code Code { get; init; }
    public required string Handler { get; init; }
    public required string Description { get; init; }
    public required int MemorySize { get; init; }
    public required Duration Timeout { get; init; }
    public required RetentionDays LogRetention { get; init; }
    public IDictionary<string, string>? Environment { get; init; }
    public int? ReservedConcurrency { get; init; }
    public required int AsyncRetryAttempts { get; init; }
    public required Duration MaxEventAge { get; init; }
    public bool KeepFailedEvents { get; init; }
    public string? FunctionName { get; init; }
}

/// <summary>
/// One entry of the rule executable as a Lambda function: the Native AOT bootstrap on <c>provided.al2023</c> x86_64,
/// its own log group with a retention, and its own role that starts with nothing but writing to that log group.
/// Whoever creates it grants the function's AWS permissions on <see cref="Role"/>.
/// </summary>
internal sealed class MfaRuleFunction : Construct
{
    public MfaRuleFunction(Construct scope, string id, IMfaRuleFunctionProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);

        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            Retention = props.LogRetention,
            // The compliance record lives in Config; the logs are diagnostics and go with the stack.
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        // Not the CDK default role: that one attaches AWSLambdaBasicExecutionRole, which may create log groups and
        // write to any of them. This role may write to its own log group only (the log group already exists, so
        // Lambda never needs logs:CreateLogGroup).
        Role = new Role(this, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
            Description = $"MFA Config rule, '{props.Handler}' entry: least privilege for exactly the calls it makes",
        });
        LogGroup.GrantWrite(Role);

        if (props.KeepFailedEvents)
        {
            FailedEvents = new Queue(this, "FailedEvents", new QueueProps
            {
                Encryption = QueueEncryption.SQS_MANAGED,
                EnforceSSL = true,
                // SQS's longest: an alarm fires on the first message, and a person has two weeks to read it.
                RetentionPeriod = Duration.Days(14),
            });
            NagSuppressions.Suppress((CfnResource)FailedEvents.Node.DefaultChild!,
                new NagSuppression("AwsSolutions-SQS3", "This queue is itself the failure destination of the function's asynchronous invocations; nothing consumes it but a person."));
        }

        Function = new Function(this, "Function", new FunctionProps
        {
            Runtime = Runtime.PROVIDED_AL2023,
            // x86_64: Native AOT cannot cross-link arm64 on the build machines (no cross linker or sysroot).
            Architecture = Architecture.X86_64,
            Handler = props.Handler,
            FunctionName = props.FunctionName,
            Code = props.Code,
            Description = props.Description,
            MemorySize = props.MemorySize,
            Timeout = props.Timeout,
            Role = Role,
            LogGroup = LogGroup,
            Environment = props.Environment,
            ReservedConcurrentExecutions = props.ReservedConcurrency,
            // Both functions are invoked asynchronously (Config, EventBridge): Lambda's own queue and retries apply,
            // set here on purpose rather than left at Lambda's defaults (2 retries, 6 hours).
            RetryAttempts = props.AsyncRetryAttempts,
            MaxEventAge = props.MaxEventAge,
            // Lambda sends the failed event with its error (requestContext, responsePayload) under the function's role.
            OnFailure = FailedEvents is null ? null : new SqsDestination(FailedEvents),
        });
    }

    /// <summary>The failure destination, with <see cref="IMfaRuleFunctionProps.KeepFailedEvents"/>.</summary>
    public Queue? FailedEvents { get; }

    public Function Function { get; }
    public Role Role { get; }
    public LogGroup LogGroup { get; }
}
