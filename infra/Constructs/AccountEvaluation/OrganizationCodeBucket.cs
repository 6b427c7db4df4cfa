using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;
using CustomResourceProvider = MfaConfigRule.Infra.Constructs.Shared.CustomResourceProvider;

namespace MfaConfigRule.Infra.Constructs.AccountEvaluation;

internal interface IOrganizationCodeBucketProps
{
    /// <summary>The rule's Lambda package (the bootstrap asset); bound here to learn its bucket and key in the CDK asset bucket.</summary>
    Code Code { get; }

    /// <summary>The Organization whose principals may read the package (<c>aws:PrincipalOrgID</c>), a token from <see cref="Organization.OrganizationIdentity"/>.</summary>
    string OrganizationId { get; }

    /// <summary>Part of the package's key, so an operator sees which release each member runs.</summary>
    string Version { get; }

    RetentionDays LogRetention { get; }
}

internal sealed class OrganizationCodeBucketProps : IOrganizationCodeBucketProps
{
    public required Code Code { get; init; }
    public required string OrganizationId { get; init; }
    public required string Version { get; init; }
    public required RetentionDays LogRetention { get; init; }
}

/// <summary>
/// Where per-account evaluation's members take their code from: a versioned bucket of the admin account, encrypted with
/// S3's own keys (SSE-S3: Lambda in another account fetches it with no key policy to get right), TLS only, public access
/// blocked, readable (s3:GetObject, s3:GetObjectVersion) by principals of the Organization only. The package is copied
/// into it from the CDK asset (<c>Custom::CodePackage</c>) at a key holding the version and the asset hash, and its version
/// ID is what the StackSet passes: a new build is a new object, and the StackSet update that names it replaces the code.
/// </summary>
internal sealed class OrganizationCodeBucket : Construct
{
    public const string ResourceType = "Custom::CodePackage";
    public const string KeyPrefix = "mfa-config-rule/";

    public OrganizationCodeBucket(Construct scope, string id, IOrganizationCodeBucketProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Bucket = new Bucket(this, "Bucket", new BucketProps
        {
            Versioned = true,
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            // Member functions keep a copy of their code, but a StackSet update or a new account needs the object: the
            // bucket outlives the stack (delete it by hand after the StackSet is gone).
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        // Principals of the Organization read the package: the StackSet's execution role in each member, whose
        // CreateFunction/UpdateFunctionCode Lambda runs with the caller's access to the object.
        ReadPolicy = Bucket.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "OrganizationReadsThePackage",
            Principals = [new AnyPrincipal()],
            Actions = ["s3:GetObject", "s3:GetObjectVersion"],
            Resources = [Bucket.ArnForObjects(KeyPrefix + "*")],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:PrincipalOrgID"] = props.OrganizationId },
            },
        }));
        NagSuppressions.Suppress((CfnResource)Bucket.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-S1",
                "Holds only the rule's Lambda packages, written by this stack's own custom resource; reads are by the Organization's " +
                "StackSet roles, recorded by CloudTrail (data events) where the Organization records them. No access log bucket is created for it."));

        var location = props.Code.Bind(this).S3Location
            ?? throw new ArgumentException("the rule's code must be an asset (a zip in the CDK asset bucket) to publish it to the code bucket");
        Key = $"{KeyPrefix}{props.Version}/{location.ObjectKey}";

        var provider = new CustomResourceProvider(this, "Copies the MFA Config rule's Lambda package into the Organization's code bucket", props.LogRetention,
            CustomResourceProvider.CodePackageSource);
        provider.Role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadThePackageAsset",
            Actions = ["s3:GetObject"],
            Resources = [$"arn:{Aws.PARTITION}:s3:::{location.BucketName}/{location.ObjectKey}"],
        }));
        provider.Role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "WriteThePackage",
            Actions = ["s3:PutObject"],
            Resources = [Bucket.ArnForObjects(KeyPrefix + "*")],
        }));
        NagSuppressions.Suppress((CfnResource)provider.Role.Node.FindChild("DefaultPolicy").Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "Writes only under the code bucket's mfa-config-rule/ prefix, where each release's key holds its version and asset hash.",
                $"Resource::<{Stack.Of(this).GetLogicalId((CfnElement)Bucket.Node.DefaultChild!)}.Arn>/mfa-config-rule/*"));
        Package = provider.Resource(this, "Package", ResourceType, new Dictionary<string, object>
        {
            ["SourceBucket"] = location.BucketName,
            ["SourceKey"] = location.ObjectKey,
            ["TargetBucket"] = Bucket.BucketName,
            ["TargetKey"] = Key,
        });
        // The copy works only once the role may make it (CDK's Function already waits for the log permissions).
        ((CfnResource)Package.Node.DefaultChild!).AddDependency((CfnResource)provider.Role.Node.FindChild("DefaultPolicy").Node.DefaultChild!);
    }

    public Bucket Bucket { get; }
    public IAddToResourcePolicyResult ReadPolicy { get; }

    /// <summary>The package's key in <see cref="Bucket"/>: <c>mfa-config-rule/VERSION/ASSETHASH.zip</c>.</summary>
    public string Key { get; }

    public CustomResource Package { get; }

    /// <summary>The version ID of the copied package, what members pin (<c>CodeObjectVersion</c>).</summary>
    public string VersionId => Package.GetAttString("VersionId");

    /// <summary>The bucket's policy: members may fetch the code only once it exists.</summary>
    public CfnResource PolicyResource => (CfnResource)Bucket.Policy!.Node.DefaultChild!;
}
