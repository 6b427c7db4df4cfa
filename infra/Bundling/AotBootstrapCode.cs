using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;

namespace MfaConfigRule.Infra.Bundling;

/// <summary>The Lambda code asset of the rule: the project's Native AOT bootstrap, built at synthesis.</summary>
internal static class AotBootstrapCode
{
    public const string RuleProject = "rule/MfaConfigRule.csproj";

    public static Code FromRuleProject(string repositoryRoot)
    {
        var project = Path.Combine(repositoryRoot, RuleProject);
        if (!File.Exists(project))
            throw new FileNotFoundException($"the rule project is not at {project}; run the CDK app from the repository root", project);

        return Code.FromAsset(Path.GetDirectoryName(project)!, new Amazon.CDK.AWS.S3.Assets.AssetOptions
        {
            // Hashed from the build's inputs (the rule project, the root build settings, the bundler), so CDK knows the
            // asset before it is built and builds it only when no cloud assembly output holds it yet.
            AssetHashType = AssetHashType.CUSTOM,
            AssetHash = AotBootstrapFingerprint.Compute(repositoryRoot),
            Bundling = new BundlingOptions
            {
                Local = new AotBootstrapBundler(project),
                // Required by the API even for local bundling. It is never pulled: the local bundler either
                // produces the asset or fails synthesis.
                Image = Runtime.PROVIDED_AL2023.BundlingImage,
                OutputType = BundlingOutput.NOT_ARCHIVED,
            },
        });
    }
}
