using MfaConfigRule.Infra.Bundling;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The bootstrap's asset hash decides whether CDK builds it again: a missed input would deploy a stale binary, a
/// build output counted as input would rebuild every time.
/// </summary>
public sealed class AotBootstrapFingerprintTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fingerprint-test-" + Guid.NewGuid().ToString("N"));

    public AotBootstrapFingerprintTests()
    {
        Write("rule/MfaConfigRule.csproj", "<Project />");
        Write("rule/Compliance/Evaluator.cs", "class Evaluator {}");
        Write("infra/Bundling/AotBootstrapBundler.cs", "class Bundler {}");
        Write("Directory.Build.props", "<Project />");
        Write("global.json", "{}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Compute_SameSources_IsTheSame()
    {
        Assert.Equal(AotBootstrapFingerprint.Compute(_root), AotBootstrapFingerprint.Compute(_root));
    }

    [Theory]
    [InlineData("rule/Compliance/Evaluator.cs")]
    [InlineData("rule/MfaConfigRule.csproj")]
    [InlineData("Directory.Build.props")]
    [InlineData("global.json")]
    [InlineData("infra/Bundling/AotBootstrapBundler.cs")]
    public void Compute_AnInputChanged_Changes(string input)
    {
        var before = AotBootstrapFingerprint.Compute(_root);

        Write(input, File.ReadAllText(Path.Combine(_root, input)) + " ");

        Assert.NotEqual(before, AotBootstrapFingerprint.Compute(_root));
    }

    [Fact]
    public void Compute_ANewSourceFile_Changes()
    {
        var before = AotBootstrapFingerprint.Compute(_root);

        Write("rule/Remediation/Remediator.cs", "class Remediator {}");

        Assert.NotEqual(before, AotBootstrapFingerprint.Compute(_root));
    }

    [Fact]
    public void Compute_BuildOutputAndFilesOutsideTheInputs_DoNotCount()
    {
        var before = AotBootstrapFingerprint.Compute(_root);

        Write("rule/bin/Release/net10.0/linux-x64/mfa-config-rule", "binary");
        Write("rule/obj/project.assets.json", "{}");
        Write("README.md", "docs");
        Write("infra/Constructs/Shared/MfaRuleFunction.cs", "class Function {}");

        Assert.Equal(before, AotBootstrapFingerprint.Compute(_root));
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
