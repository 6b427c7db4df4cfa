using Amazon.CDK;
using MfaConfigRule.Infra.Bundling;

namespace MfaConfigRule.Infra;

internal static class Program
{
    public static void Main()
    {
        var app = new App();
        var settings = MfaRuleSettings.FromContext(app.Node,
            System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
            System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"));
        // `cdk` runs the app from the directory holding cdk.json: the repository root.
        var code = AotBootstrapCode.FromRuleProject(Directory.GetCurrentDirectory());
        MfaRuleApp.AddStack(app, settings, code);
        app.Synth();
    }
}
