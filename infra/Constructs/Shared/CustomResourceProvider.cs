using System.Reflection;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace MfaConfigRule.Infra.Constructs.Shared;

/// <summary>
/// A provider function for the app's own custom resources (<c>infra/custom-resource/index.js</c>, inlined, so it works in
/// a StackSet template too): its own log group with the app's retention, and a role with no AWSLambdaBasicExecutionRole,
/// only that log group and the calls its resource makes.
/// </summary>
/// <remarks>
/// The three pieces are created directly in the caller's scope under fixed IDs, so a construct that adopts this keeps the
/// logical IDs it had: CloudFormation cannot change a deployed custom resource's ServiceToken.
/// </remarks>
internal sealed class CustomResourceProvider
{
    /// <summary>The newest Node.js Lambda creates; CDK 2.160 has no constant for it. Its runtime ships the AWS SDK v3.</summary>
    public const string Runtime = "nodejs24.x";

    /// <summary>
    /// CloudFormation's wait for the provider's answer. The provider always answers within its own 60 s timeout; this only
    /// bounds a provider that cannot start (CloudFormation's default is an hour), after Lambda's two retries of it.
    /// </summary>
    public const int ServiceTimeoutSeconds = 300;

    /// <param name="source">The handler's source; null: <see cref="Source"/>, the app's shared handler.</param>
    public CustomResourceProvider(Construct scope, string description, RetentionDays logRetention, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        LogGroup = new LogGroup(scope, "ProviderLogs", new LogGroupProps
        {
            Retention = logRetention,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        Role = new Role(scope, "ProviderRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
            Description = description,
        });
        LogGroup.GrantWrite(Role);
        Function = new Function(scope, "Provider", new FunctionProps
        {
            Runtime = new Runtime(Runtime, RuntimeFamily.NODEJS, new LambdaRuntimeProps { SupportsInlineCode = true }),
            Handler = "index.handler",
            Code = Code.FromInline(source ?? Source),
            Description = $"CloudFormation custom resource: {description}",
            MemorySize = 128,
            // A few calls with the SDK's retries.
            Timeout = Duration.Seconds(60),
            Role = Role,
            LogGroup = LogGroup,
        });
        NagSuppressions.Suppress((CfnResource)Function.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-L1",
                $"{Runtime} is the newest Node.js runtime Lambda offers; the aws-cdk-lib 2.160 that cdk-nag checks with does not know it."));
    }

    public Function Function { get; }
    public Role Role { get; }
    public LogGroup LogGroup { get; }

    /// <summary>A custom resource of <paramref name="resourceType"/> served by this provider.</summary>
    public CustomResource Resource(Construct scope, string id, string resourceType, IDictionary<string, object> properties) =>
        new(scope, id, new CustomResourceProps
        {
            ResourceType = resourceType,
            ServiceToken = Function.FunctionArn,
            Properties = new Dictionary<string, object>(properties) { ["ServiceTimeout"] = ServiceTimeoutSeconds },
        });

    /// <summary>The handler, compiled into this assembly from <c>infra/custom-resource/index.js</c> (its tests run it with Node).</summary>
    internal static string Source { get; } = ReadSource("CustomResourceProvider.js");

    /// <summary>The per-account evaluation's package copy, <c>infra/custom-resource/code-package.js</c> (a handler of its own, so the shared one stays as deployed).</summary>
    internal static string CodePackageSource { get; } = ReadSource("CodePackageProvider.js");

    private static string ReadSource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the custom resource handler {name} is not embedded in the infra assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
