namespace Detr.Notebooks.Tests;

/// <summary>
/// Packs the library projects once per test run into a private feed with a version unique to the run, so file-based
/// apps restore exactly this build (a fixed version would be served from the NuGet cache).
/// </summary>
public sealed class LocalPackageFeed : IDisposable
{
    static readonly string[] Projects = [
        "src/Detr.MLNet/Detr.MLNet.csproj", "src/Detr.MLNet.Gpu/Detr.MLNet.Gpu.csproj", "src/Detr.Training/Detr.Training.csproj", "src/Detr.Cli/Detr.Cli.csproj",
    ];

    // The tool is packed for this machine's platform only: each platform's package carries its own libtorch.
    static string PackArguments(string project) => project.Contains("Detr.Cli", StringComparison.Ordinal)
        ? $" -p:ToolPackageRuntimeIdentifiers={System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}"
        : "";

    public LocalPackageFeed()
    {
        Folder = Directory.CreateTempSubdirectory("detr-feed-").FullName;
        Version = $"0.1.0-ci.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        // Pack from a private copy of the sources: the solution build running beside the tests writes the same
        // bin/obj folders, and two builds of one project at once break each other.
        _sources = Directory.CreateTempSubdirectory("detr-pack-").FullName;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.Copy(Path.Combine(RepositoryLayout.Root, file), Path.Combine(_sources, file));
        CopySources(Path.Combine(RepositoryLayout.Root, "src"), Path.Combine(_sources, "src"));
        CopySources(Path.Combine(RepositoryLayout.Root, "tests", "fixtures", "scoring"), Path.Combine(_sources, "tests", "fixtures", "scoring"));
        foreach (var project in Projects)
        {
            var result = ProcessRunner.Run("dotnet", $"pack {project} -c Release -o \"{Folder}\" -p:Version={Version}{PackArguments(project)}",
                _sources, TimeSpan.FromMinutes(10));
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"dotnet pack {project} failed:\n{result.Output}");
        }
    }

    readonly string _sources;

    static void CopySources(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, directory);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
                continue;
            Directory.CreateDirectory(Path.Combine(to, relative));
        }
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    /// <summary>The feed folder.</summary>
    public string Folder { get; }

    /// <summary>The version every package in the feed carries.</summary>
    public string Version { get; }

    public void Dispose()
    {
        foreach (var folder in new[] { Folder, _sources })
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One feed for every test class: packing the same projects twice at once races on their output folders.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<LocalPackageFeed>
{
    public const string Name = "packed packages";
}
