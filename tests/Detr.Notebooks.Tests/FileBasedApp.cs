using System.Text.RegularExpressions;

namespace Detr.Notebooks.Tests;

/// <summary>
/// The model-builder-style scripts (scripts/*.cs) are .NET file-based apps: this points their <c>#:package</c>
/// directives for the project's own packages at the test's feed and runs them with <c>dotnet run</c>.
/// </summary>
public static partial class FileBasedApp
{
    /// <summary>The packages this repository packs into the feed.</summary>
    internal static readonly string[] OwnPackages = ["Detr.MLNet", "Detr.Training", "Detr.Cli"];

    /// <summary>A script (already a file-based app) pointed at the feed's version of the project's packages.</summary>
    public static string FromScript(string scriptPath, LocalPackageFeed feed)
    {
        var text = File.ReadAllText(scriptPath);
        text = PackageDirective().Replace(text, m => OwnPackages.Contains(m.Groups[1].Value) ? $"#:package {m.Groups[1].Value}@{feed.Version}" : m.Value);
        return $"#:property RestoreAdditionalProjectSources={feed.Folder}\n" + text;
    }

    /// <summary>
    /// Runs the app at <paramref name="appPath"/> with <c>dotnet run</c>, its build output in a folder of its own that is
    /// deleted afterwards: the SDK's default (one folder per app under the user's profile, never cleaned) keeps a copy of
    /// libtorch for every platform per app, gigabytes that once ran a CI machine out of disk. Hard links to the NuGet
    /// cache keep even the transient copy small.
    /// </summary>
    internal static ProcessRunner.Result Run(string appPath, string arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var artifacts = Directory.CreateTempSubdirectory("detr-app-build-").FullName;
        try
        {
            return ProcessRunner.Run("dotnet",
                $"run --artifacts-path \"{artifacts}\" -p:CreateHardLinksForCopyLocalIfPossible=true \"{appPath}\" {arguments}",
                workingDirectory, TimeSpan.FromMinutes(10), environment);
        }
        finally
        {
            try { Directory.Delete(artifacts, recursive: true); } catch (IOException) { }
        }
    }

    [GeneratedRegex("""^#:package\s+([\w.]+)@\S+""", RegexOptions.Multiline)]
    private static partial Regex PackageDirective();
}
