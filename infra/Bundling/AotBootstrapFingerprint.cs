using System.Security.Cryptography;
using System.Text;

namespace MfaConfigRule.Infra.Bundling;

/// <summary>
/// The asset hash of the bootstrap, taken from everything its build reads instead of from the built file: CDK then
/// names the asset before building it and skips the build when a cloud assembly already holds an asset of that name.
/// So one <c>dotnet publish</c> serves every stack variant synthesized from the same sources (infra/check-templates.sh
/// copies the asset between them), and a repeated <c>cdk deploy</c> of unchanged sources does not publish again.
/// </summary>
/// <remarks>
/// Missing an input here would let a stale bootstrap be deployed, so it takes more than it needs: every file of the rule
/// project except its build output, the build settings at the root, the bundler itself (its publish options), and the
/// .NET runtime the app runs on (it comes with the SDK that publishes).
/// </remarks>
internal static class AotBootstrapFingerprint
{
    private static readonly string[] RootInputs =
        ["Directory.Build.props", "Directory.Packages.props", "global.json", "NuGet.config", "nuget.config", "BannedSymbols.txt", ".editorconfig"];

    private static readonly string[] InputFolders = ["rule", Path.Combine("infra", "Bundling")];

    private static readonly string[] BuildOutputFolders = ["bin", "obj"];

    public static string Compute(string repositoryRoot)
    {
        var files = RootInputs.Select(f => Path.Combine(repositoryRoot, f)).Where(File.Exists)
            .Concat(InputFolders.SelectMany(folder => SourceFiles(Path.Combine(repositoryRoot, folder))))
            .Select(f => Path.GetRelativePath(repositoryRoot, f).Replace('\\', '/'))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + "\n"));
        foreach (var file in files)
        {
            var content = File.ReadAllBytes(Path.Combine(repositoryRoot, file));
            hash.AppendData(Encoding.UTF8.GetBytes($"{file}\n{content.Length}\n"));
            hash.AppendData(content);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static IEnumerable<string> SourceFiles(string folder)
    {
        if (!Directory.Exists(folder)) yield break;
        foreach (var file in Directory.EnumerateFiles(folder))
            yield return file;
        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            if (BuildOutputFolders.Contains(Path.GetFileName(child), StringComparer.Ordinal)) continue;
            foreach (var file in SourceFiles(child))
                yield return file;
        }
    }
}
