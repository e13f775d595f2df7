namespace Detr.Notebooks.Tests;

/// <summary>Where the repository is, found from the test assembly's location.</summary>
static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Detr.MLNet.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Cannot find Detr.MLNet.sln above " + AppContext.BaseDirectory);
    }
}
