using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Rule;

/// <summary>
/// For accounts without AWS Config: a configuration recorder that records IAM users only, and a delivery channel to a
/// private, encrypted, TLS-only bucket. An account or Region has at most one recorder, so this is off by default and
/// must stay off where one exists.
/// </summary>
/// <remarks>
/// Global IAM types are recorded only in Regions launched before February 2022; deploy in one of those, and in one
/// Region only.
/// </remarks>
internal sealed class ConfigRecorder : Construct
{
    public ConfigRecorder(Construct scope, string id)
        : base(scope, id)
    {
        Bucket = new Bucket(this, "DeliveryBucket", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            Versioned = true,
            // Configuration history is audit evidence: it outlives the stack.
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        NagSuppressions.Suppress((CfnResource)Bucket.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-S1",
                "Holds only Config snapshots and history of IAM users, written by Config; an access-log bucket would itself need one. " +
                "Reads are visible in CloudTrail (enable S3 data events if required)."));

        Role = new Role(this, "RecorderRole", new RoleProps
        {
            // Config's documented trust policy: only Config acting for this account may assume the role.
            AssumedBy = new ServicePrincipal("config.amazonaws.com").WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Aws.ACCOUNT_ID },
            }),
            Description = "AWS Config recorder: reads IAM users and delivers their configuration history to its bucket",
            // AWS' documented policy for a recorder role: Config reads each recorded resource type with that
            // service's own read calls, which AWS maintains here for every type it supports.
            ManagedPolicies = [ManagedPolicy.FromAwsManagedPolicyName("service-role/AWS_ConfigRole")],
        });
        // The delivery permissions AWS documents for a recorder role and a bucket in the same account.
        Role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "DeliverConfigHistory",
            Actions = ["s3:PutObject"],
            Resources = [Bucket.ArnForObjects($"AWSLogs/{Aws.ACCOUNT_ID}/Config/*")],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["s3:x-amz-acl"] = "bucket-owner-full-control" },
            },
        }));
        Role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CheckBucketAcl",
            Actions = ["s3:GetBucketAcl"],
            Resources = [Bucket.BucketArn],
        }));
        NagSuppressions.Suppress((CfnResource)Role.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM4",
                "AWS_ConfigRole is the policy AWS documents and maintains for a Config recorder role: it tracks the read calls " +
                "each recordable resource type needs.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole"));
        NagSuppressions.Suppress((CfnResource)Role.Node.FindChild("DefaultPolicy").Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "Config writes one object per snapshot and history file under AWSLogs/<account>/Config/ in its own bucket.",
                $"Resource::<{Stack.Of(this).GetLogicalId((CfnElement)Bucket.Node.DefaultChild!)}.Arn>/AWSLogs/<AWS::AccountId>/Config/*"));

        Recorder = new CfnConfigurationRecorder(this, "Recorder", new CfnConfigurationRecorderProps
        {
            RoleArn = Role.RoleArn,
            RecordingGroup = new CfnConfigurationRecorder.RecordingGroupProperty
            {
                AllSupported = false,
                IncludeGlobalResourceTypes = false,
                ResourceTypes = ["AWS::IAM::User"],
                RecordingStrategy = new CfnConfigurationRecorder.RecordingStrategyProperty { UseOnly = "INCLUSION_BY_RESOURCE_TYPES" },
            },
        });

        DeliveryChannel = new CfnDeliveryChannel(this, "DeliveryChannel", new CfnDeliveryChannelProps
        {
            S3BucketName = Bucket.BucketName,
            ConfigSnapshotDeliveryProperties = new CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty
            {
                DeliveryFrequency = "TwentyFour_Hours",
            },
        });
        // Side by side, neither depending on the other (the CloudFormation user guide, AWS::Config::DeliveryChannel): the
        // recorder starts recording as it is created and does not finish until a delivery channel exists, so a channel
        // that waits for the recorder makes the stack hang and fail with NoAvailableDeliveryChannelException
        // (aws/aws-cdk#9001). Recording delivers at once, so both wait for the role's delivery permissions and for the
        // bucket with its TLS-only policy (which follows the bucket). Only the edges no reference already implies are
        // written (cfn-lint W3005).
        var rolePolicy = (CfnResource)Role.Node.FindChild("DefaultPolicy").Node.DefaultChild!;
        var bucketPolicy = (CfnResource)Bucket.Policy!.Node.DefaultChild!;
        Recorder.AddDependency(rolePolicy);
        Recorder.AddDependency(bucketPolicy);
        DeliveryChannel.AddDependency(rolePolicy);
        DeliveryChannel.AddDependency(bucketPolicy);
    }

    public Bucket Bucket { get; }
    public Role Role { get; }
    public CfnConfigurationRecorder Recorder { get; }
    public CfnDeliveryChannel DeliveryChannel { get; }
}
