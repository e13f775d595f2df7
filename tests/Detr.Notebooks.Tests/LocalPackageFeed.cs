namespace Detr.Notebooks.Tests;

/// <summary>
/// Packs the library projects once per test run into a private feed with a version unique to the run, so file-based
/// apps restore exactly this build (a fixed version would be served from the NuGet cache).
/// </summary>
public sealed class LocalPackageFeed : IDisposable
{
    static readonly string[] Projects = ["src/Detr.MLNet/Detr.MLNet.csproj", "src/Detr.Training/Detr.Training.csproj"];

    public LocalPackageFeed()
    {
        Folder = Directory.CreateTempSubdirectory("detr-feed-").FullName;
        Version = $"0.1.0-ci.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        foreach (var project in Projects)
        {
            var result = ProcessRunner.Run("dotnet", $"pack {project} -c Release -o \"{Folder}\" -p:Version={Version}",
                RepositoryLayout.Root, TimeSpan.FromMinutes(10));
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"dotnet pack {project} failed:\n{result.Output}");
        }
    }

    /// <summary>The feed folder.</summary>
    public string Folder { get; }

    /// <summary>The version every package in the feed carries.</summary>
    public string Version { get; }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
