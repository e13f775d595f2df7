using System.IO.Compression;

namespace Detr.Notebooks.Tests;

/// <summary>
/// Detr.MLNet.Gpu as an application gets it: one ONNX Runtime native library, the GPU build's (its CUDA provider is
/// listed), and on a machine without CUDA scoring falls back to the CPU with a warning, or fails with the reason when
/// the application asked for CUDA only; TensorRT falls back the same way.
/// </summary>
[Collection(PackagesCollection.Name)]
public class GpuPackageTests(LocalPackageFeed feed)
{
    [Fact]
    public void KeepsOnlyTheGpuRuntimeAndFallsBackToTheCpuWithoutCuda()
    {
        var work = Directory.CreateTempSubdirectory("detr-gpu-").FullName;
        try
        {
            string app = Path.Combine(work, "gpu.cs");
            File.WriteAllText(app, AppSource());
            string model = Path.Combine(RepositoryLayout.Root, "tests", "fixtures", "scoring", "detr_tiny_hf.onnx");
            var run = FileBasedApp.Run(app, $"-- \"{model}\"", work);
            Assert.True(run.ExitCode == 0, $"the GPU app failed:\n{run.Output}");

            // The GPU build won: the CPU build lists no CUDA provider.
            Assert.Contains("CUDAExecutionProvider", Line(run.Output, "providers:"));
            if (!Line(run.Output, "fallback:").Contains("scoring on the GPU", StringComparison.Ordinal))
            {
                // No usable CUDA here (the CI machines): a warning that names the cause, then CPU scoring that works.
                Assert.Contains("CUDA execution provider unavailable", Line(run.Output, "fallback:"));
                Assert.Contains("could not start CUDA", Line(run.Output, "fallback:"));
                Assert.Matches(@"scored: \d+ queries", Line(run.Output, "scored:"));
                Assert.Contains("Set CpuFallback", Line(run.Output, "strict:"));
                // TensorRT, which needs CUDA, falls back the same way: to the CPU, with one warning naming both.
                Assert.StartsWith("tensorrt: Cpu, ", Line(run.Output, "tensorrt:"));
                Assert.Contains("TensorRT execution provider unavailable", Line(run.Output, "tensorrt:"));
                Assert.Contains("CUDA execution provider unavailable", Line(run.Output, "tensorrt:"));
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void PackageBringsDetrMLNetTheGpuRuntimeAndTheTargetsThatDropTheCpuOne()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(feed.Folder, $"Detr.MLNet.Gpu.{feed.Version}.nupkg"));
        var files = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("buildTransitive/Detr.MLNet.Gpu.targets", files);
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal));
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        string text = reader.ReadToEnd();
        Assert.Contains("id=\"Detr.MLNet\"", text);
        Assert.Contains("id=\"Microsoft.ML.OnnxRuntime.Gpu\"", text);
    }

    static string Line(string output, string prefix) =>
        output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) ?? $"(no '{prefix}' line in:\n{output})";

    string AppSource() => $$"""
        #:property PublishAot=false
        #:property RestoreAdditionalProjectSources={{feed.Folder}}
        #:package Detr.MLNet.Gpu@{{feed.Version}}
        using Detr.MLNet.Imaging;
        using Detr.MLNet.Scoring;
        using Microsoft.ML.OnnxRuntime;

        Console.WriteLine("providers: " + string.Join(",", OrtEnv.Instance().GetAvailableProviders()));
        var warnings = new List<string>();
        using (var model = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = args[0], Device = DetrExecutionDevice.Cuda }, warnings.Add))
        {
            Console.WriteLine("fallback: " + (warnings.Count == 0 ? "none: scoring on the GPU" : string.Join(" | ", warnings)));
            var raw = model.CreateScorer().RunRawPerImage([new RgbImage(new byte[64 * 64 * 3], 64, 64)]);
            Console.WriteLine($"scored: {raw[0].Queries} queries");
        }
        try
        {
            using var strict = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = args[0], Device = DetrExecutionDevice.Cuda, CpuFallback = false });
            Console.WriteLine("strict: opened");
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine("strict: " + e.Message.ReplaceLineEndings(" "));
        }
        var tensorRtWarnings = new List<string>();
        var cache = Path.Combine(Path.GetTempPath(), "detr-trt-" + Environment.ProcessId);
        using (var tensorRt = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = args[0], Device = DetrExecutionDevice.TensorRt, TensorRtEngineCacheFolder = cache }, tensorRtWarnings.Add))
        {
            using var scorer = tensorRt.CreateScorer();
            var raw = scorer.RunRawPerImage([new RgbImage(new byte[64 * 64 * 3], 64, 64)]);
            Console.WriteLine($"tensorrt: {tensorRt.ActiveDevice}, {raw[0].Queries} queries | " + string.Join(" | ", tensorRtWarnings));
        }
        if (Directory.Exists(cache))
            Directory.Delete(cache, recursive: true);
        """;
}
