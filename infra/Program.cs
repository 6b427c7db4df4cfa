using Amazon.CDK;
using MfaConfigRule.Infra.Bundling;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra;

internal static class Program
{
    /// <summary>The StackSet's member template, written into the cloud assembly directory (not a stack of it).</summary>
    public const string OrganizationMemberTemplateFile = "MfaConfigRuleMember.template.json";

    /// <summary>The per-account template, written beside the admin stack in per-account evaluation (the StackSet's template).</summary>
    public const string AccountTemplateFile = "MfaConfigRuleAccount.template.json";

    public static void Main()
    {
        var app = new App();
        var context = new ContextReader(app.Node);
        var settings = MfaRuleSettings.Read(context,
            System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
            System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"));
        // The Organization's checks rely on valid settings (its Region, no recorder), so their errors come second.
        context.ThrowIfInvalid();
        var organization = OrganizationDeployment.Read(context, settings);
        context.ThrowIfInvalid();
        if (OrganizationDeployment.IsAccountTemplate(context))
        {
            // Plain CloudFormation: no asset, so no AOT build; the code is named by the template's parameters.
            MfaRuleApp.AddAccountTemplateStack(app, settings);
            app.Synth();
            return;
        }
        // `cdk` runs the app from the directory holding cdk.json: the repository root.
        var code = AotBootstrapCode.FromRuleProject(Directory.GetCurrentDirectory());
        if (organization is { Evaluation: OrganizationEvaluation.PerAccount })
        {
            var perAccount = MfaRuleApp.AddOrganizationPerAccountStack(app, settings, organization, code);
            app.Synth();
            // Beside the admin stack, for review, for the template checks and for the management account's command.
            File.WriteAllText(Path.Combine(app.Outdir, AccountTemplateFile), perAccount.TemplateBody);
            return;
        }
        if (organization is not null)
        {
            var stack = MfaRuleApp.AddOrganizationStack(app, settings, organization, code);
            app.Synth();
            // Beside the stacks, for review and for the template checks (cdk-nag, cfn-lint): what every member gets.
            File.WriteAllText(Path.Combine(app.Outdir, OrganizationMemberTemplateFile), stack.Members.TemplateBody);
            return;
        }
        MfaRuleApp.AddStack(app, settings, code);
        app.Synth();
    }
}
