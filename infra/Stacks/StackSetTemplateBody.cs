using System.Text.Json;
using Amazon.CDK;

namespace MfaConfigRule.Infra.Stacks;

/// <summary>
/// A stack a StackSet deploys, as the compact JSON its <c>TemplateBody</c> takes: synthesized in an app of its own (into
/// a scratch directory, never the caller's cloud assembly), and refused when it is over CloudFormation's limit for a
/// template passed inline. Used for the central mode's member template and for the per-account template.
/// </summary>
internal static class StackSetTemplateBody
{
    /// <summary>CloudFormation's limit for a template passed as TemplateBody (StackSets included).</summary>
    public const int MaxBytes = 51_200;

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="what">The template's name in the error, e.g. "member template".</param>
    /// <param name="build">Makes the stack in the given app (with a synthesizer that needs no bootstrap and no asset).</param>
    public static string Synthesize(string what, Func<App, Stack> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var scratch = Directory.CreateTempSubdirectory("mfa-stackset-template-");
        try
        {
            var app = new App(new AppProps { Outdir = scratch.FullName, AnalyticsReporting = false });
            var stack = build(app);
            var assembly = app.Synth();
            using var template = JsonDocument.Parse(File.ReadAllText(assembly.GetStackArtifact(stack.ArtifactId).TemplateFullPath));
            var json = JsonSerializer.Serialize(template.RootElement, Compact);
            var bytes = System.Text.Encoding.UTF8.GetByteCount(json);
            if (bytes > MaxBytes)
                throw new InvalidOperationException($"the {what} is {bytes} bytes; a StackSet TemplateBody takes at most {MaxBytes}");
            return json;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
