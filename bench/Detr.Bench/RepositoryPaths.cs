namespace Detr.Bench;

/// <summary>Finds the repository (the folder holding Detr.MLNet.sln) from wherever the benchmark runs.</summary>
static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string DefaultModel => Path.Combine(Root, "bench", "artifacts", "detr_r50.onnx");

    public static string ModelScript => Path.Combine(Root, "bench", "make_detr_r50_onnx.py");

    static string FindRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Detr.MLNet.sln")))
                    return dir.FullName;
        throw new DirectoryNotFoundException("Cannot find the repository root (Detr.MLNet.sln) above the current or the program's folder.");
    }
}
