using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.Assertions;
using Constructs;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra.Tests;

/// <summary>The app as Program builds it, with a stand-in bootstrap asset, synthesized once.</summary>
internal sealed class SynthesizedApp
{
    public const string Account = "123456789012";

    private SynthesizedApp(MfaConfigRuleStack ruleStack, IReadOnlyList<JsonElement> templates)
    {
        RuleStack = ruleStack;
        AllTemplates = templates;
    }

    public MfaConfigRuleStack RuleStack { get; }

    /// <summary>Every stack template of the cloud assembly, as written to disk.</summary>
    public IReadOnlyList<JsonElement> AllTemplates { get; }

    public Template RuleTemplate => Template.FromStack(RuleStack);
    public JsonElement RuleTemplateJson => Json(RuleStack);

    /// <summary>A tiny directory standing in for the bootstrap: template tests must not depend on an AOT build.</summary>
    public static Code StandInCode => Code.FromAsset(Path.Combine(AppContext.BaseDirectory, "Fixtures", "bootstrap-asset"));

    public static SynthesizedApp Create(IDictionary<string, object>? context = null, string? region = "eu-west-1")
    {
        var app = new App(new AppProps { Context = context ?? new Dictionary<string, object>() });
        var settings = MfaRuleSettings.FromContext(app.Node, Account, region);
        var rule = MfaRuleApp.AddStack(app, settings, StandInCode);
        var assembly = app.Synth();
        var templates = assembly.Stacks
            .Select(stack => JsonDocument.Parse(File.ReadAllText(stack.TemplateFullPath)).RootElement.Clone())
            .ToList();
        return new SynthesizedApp(rule, templates);
    }

    /// <summary>The repository root: the directory holding cdk.json, above the test output.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "cdk.json"))) return directory.FullName;
        }
        throw new InvalidOperationException("cdk.json not found above " + AppContext.BaseDirectory);
    }

    public static JsonElement Json(Stack stack) =>
        JsonDocument.Parse(JsonSerializer.Serialize(Template.FromStack(stack).ToJSON())).RootElement.Clone();

    public static string LogicalId(IConstruct construct)
    {
        var element = construct as CfnElement ?? (CfnElement)construct.Node.DefaultChild!;
        return Stack.Of(element).GetLogicalId(element);
    }
}
