using Detr.Training.Native;

namespace Detr.Training.Tests.Native;

public class PackagedLibTorchSharpTests
{
    // The NuGet cache as a notebook kernel leaves it: TorchSharp, TorchSharp-cpu naming its libtorch, that libtorch.
    static string NuGetLayout(string root)
    {
        string torchSharp = Path.Combine(root, "torchsharp", "0.107.0");
        Write(Path.Combine(torchSharp, "lib", "net8.0", "TorchSharp.dll"));
        Write(Path.Combine(torchSharp, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
        Write(Path.Combine(root, "torchsharp-cpu", "0.107.0", "torchsharp-cpu.nuspec"), """
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>TorchSharp-cpu</id>
              <dependencies><group targetFramework="net8.0"><dependency id="TorchSharp" version="0.107.0" /><dependency id="libtorch-cpu" version="2.10.0" /></group></dependencies>
            </metadata></package>
            """);
        Write(Path.Combine(root, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native", "libtorch_cpu.so"));
        return Path.Combine(torchSharp, "lib", "net8.0", "TorchSharp.dll");
    }

    static void Write(string path, string text = "")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void FindsTheLibTorchThatTorchSharpCpuNamesInTheNuGetCache()
    {
        using var folder = new TempFolder();
        string assembly = NuGetLayout(Path.Combine(folder.Path, "packages"));
        var plan = PackagedLibTorchSharp.Find(assembly, Path.Combine(folder.Path, "kernel"));
        Assert.NotNull(plan);
        Assert.Equal("0.107.0", plan.TorchSharpVersion);
        Assert.Equal(Path.Combine(folder.Path, "packages", "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), plan.LibTorchSharpPath);
        Assert.Equal(Path.Combine(folder.Path, "packages", "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native"), plan.LibTorchFolder);
    }

    [Fact]
    public void LeavesBuiltApplicationsAndCudaLibTorchToTorchSharp()
    {
        using var folder = new TempFolder();
        string packages = Path.Combine(folder.Path, "packages");
        string assembly = NuGetLayout(packages);
        // A built application carries the library (patched by the build) in its own folder.
        string app = Path.Combine(folder.Path, "app");
        Write(Path.Combine(app, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
        Assert.Null(PackagedLibTorchSharp.Find(assembly, app));
        // TorchSharp copied out of a package folder.
        Assert.Null(PackagedLibTorchSharp.Find(Path.Combine(app, "TorchSharp.dll"), Path.Combine(folder.Path, "kernel")));
        // A CUDA libtorch in the cache: which backend the notebook asked for is TorchSharp's to find out.
        Directory.CreateDirectory(Path.Combine(packages, "libtorch-cuda-12.8-linux-x64"));
        Assert.Null(PackagedLibTorchSharp.Find(assembly, Path.Combine(folder.Path, "kernel")));
    }

    [Fact]
    public void WeakCopyMarksTheRequirementOnceAndLeavesThePackageAlone()
    {
        // The package's own library, as restored for this test project (the build's patched copy is in bin/).
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
        string original = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(original), $"TorchSharp's package library is not at {original}");
        byte[] before = File.ReadAllBytes(original);
        using var folder = new TempFolder();
        var plan = new PackagedLibTorchSharp.Plan(version, original, "");

        string copy = PackagedLibTorchSharp.WeakCopy(plan, folder.Path);

        Assert.StartsWith(folder.Path, copy);
        byte[] patched = File.ReadAllBytes(copy);
        Assert.True(ElfVersionRequirement.TrySetWeak(patched, "GLIBCXX_3.4.32", out bool changed, out _));
        Assert.False(changed); // already weak
        Assert.Equal(before.Length, patched.Length);
        Assert.Equal(1, before.Zip(File.ReadAllBytes(copy)).Count(pair => pair.First != pair.Second)); // one flag byte
        Assert.Equal(before, File.ReadAllBytes(original));
        Assert.Equal(copy, PackagedLibTorchSharp.WeakCopy(plan, folder.Path)); // reused
    }
}
