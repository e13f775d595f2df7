using System.IO.Compression;
using System.Xml.Linq;

namespace Detr.Notebooks.Tests;

/// <summary>The packages as a user gets them: the <c>detr</c> tool installs and runs its demo; scoring alone pulls no TorchSharp.</summary>
[Collection(PackagesCollection.Name)]
public class ToolPackageTests(LocalPackageFeed feed)
{
    [Fact]
    public void TheToolInstallsFromTheFeedAndRunsTheDemo()
    {
        var work = Directory.CreateTempSubdirectory("detr-tool-").FullName;
        try
        {
            string tools = Path.Combine(work, "tools");
            var install = ProcessRunner.Run("dotnet", $"tool install Detr.Cli --tool-path \"{tools}\" --add-source \"{feed.Folder}\" --version {feed.Version}",
                work, TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, $"dotnet tool install failed:\n{install.Output}");
            string detr = Path.Combine(tools, OperatingSystem.IsWindows() ? "detr.exe" : "detr");

            var help = ProcessRunner.Run(detr, "--help", work, TimeSpan.FromMinutes(1));
            Assert.True(help.ExitCode == 0, help.Output);
            foreach (var command in new[] { "demo", "train", "predict", "evaluate", "export", "inspect" })
                Assert.Contains(command, help.Output);

            // The installed copy of libtorch must load here too (the build's libstdc++ fix travels in the package).
            var demo = ProcessRunner.Run(detr, "demo --preset tiny --out demo", work, TimeSpan.FromMinutes(5));
            Assert.True(demo.ExitCode == 0, $"detr demo failed:\n{demo.Output}");
            Assert.True(File.Exists(Path.Combine(work, "demo", "metrics.json")), demo.Output);
            Assert.True(File.Exists(Path.Combine(work, "demo", "model.onnx")), demo.Output);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void ScoringPackageDoesNotDependOnTorchSharp()
    {
        var dependencies = Dependencies("Detr.MLNet");
        Assert.Contains("Microsoft.ML.OnnxRuntime", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Detr.MLNet", Dependencies("Detr.Training"));
        Assert.Contains("TorchSharp", Dependencies("Detr.Training"));
    }

    IReadOnlyList<string> Dependencies(string package)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(feed.Folder, $"{package}.{feed.Version}.nupkg"));
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).Distinct().ToList();
    }
}
