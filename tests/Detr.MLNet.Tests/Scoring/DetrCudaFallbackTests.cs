using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>CUDA or TensorRT asked for with ONNX Runtime's CPU build (this test project's): a warning and CPU scoring, or the reason.</summary>
public class DetrCudaFallbackTests
{
    static DetrScoringOptions Cuda(bool cpuFallback) =>
        new() { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), Device = DetrExecutionDevice.Cuda, CpuFallback = cpuFallback };

    [Fact]
    public void FallsBackToTheCpuWithAWarningThatNamesTheGpuPackage()
    {
        var warnings = new List<string>();
        using var model = DetrScoringModel.Open(Cuda(cpuFallback: true), warnings.Add);
        var warning = Assert.Single(warnings);
        Assert.Contains("scoring on the CPU", warning);
        Assert.Contains("Detr.MLNet.Gpu", warning);
        Assert.Equal(DetrExecutionDevice.Cpu, model.ActiveDevice);
        using var scorer = model.CreateScorer();
        var raw = scorer.RunRawPerImage([new RgbImage(new byte[32 * 32 * 3], 32, 32)]);
        Assert.True(raw[0].Queries > 0);
    }

    [Theory]
    [InlineData(DetrExecutionDevice.Cuda)]
    [InlineData(DetrExecutionDevice.TensorRt)]
    public void WithoutFallbackFailsWithTheReasons(DetrExecutionDevice device)
    {
        var options = device == DetrExecutionDevice.Cuda ? Cuda(cpuFallback: false) : TensorRt(cpuFallback: false);
        var e = Assert.Throws<InvalidOperationException>(() => DetrScoringModel.Open(options));
        Assert.Contains("CUDA execution provider unavailable", e.Message);
        Assert.Equal(device == DetrExecutionDevice.TensorRt, e.Message.Contains("TensorRT execution provider unavailable", StringComparison.Ordinal));
        Assert.Contains("Detr.MLNet.Gpu", e.Message);
        Assert.Contains("CpuFallback", e.Message);
    }

    static DetrScoringOptions TensorRt(bool cpuFallback, string? cacheFolder = null) => new()
    {
        ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"),
        Device = DetrExecutionDevice.TensorRt,
        CpuFallback = cpuFallback,
        TensorRtEngineCacheFolder = cacheFolder,
        ShortestEdge = 64,
        LongestEdge = 100,
    };

    [Fact]
    public void TensorRtFallsBackThroughCudaToTheCpuWithOneWarningNamingBoth()
    {
        using var folder = new TempFolder();
        string cache = Path.Combine(folder.Path, "engines");
        var warnings = new List<string>();

        using var model = DetrScoringModel.Open(TensorRt(cpuFallback: true, cache), warnings.Add);

        var warning = Assert.Single(warnings);
        Assert.Contains("TensorRT execution provider unavailable", warning);
        Assert.Contains("CUDA execution provider unavailable", warning);
        Assert.Contains("scoring on the CPU", warning);
        Assert.Contains("Detr.MLNet.Gpu", warning);
        Assert.Equal(DetrExecutionDevice.Cpu, model.ActiveDevice);
        Assert.False(Directory.Exists(cache), "no engine cache folder where TensorRT cannot run");

        // On the CPU the plain path scores, as it would without any device asked for.
        using var cpu = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), ShortestEdge = 64, LongestEdge = 100 });
        var image = new RgbImage(Fixtures.DrawRgb(80, 60, 1), 80, 60);
        using var fallbackScorer = model.CreateScorer();
        using var cpuScorer = cpu.CreateScorer();
        Assert.Equal(cpuScorer.RunRawPerImage([image])[0].Logits, fallbackScorer.RunRawPerImage([image])[0].Logits);
    }

    [Fact]
    public void TheEngineCacheFolderIsFixedWhenTheSessionOpens()
    {
        using var model = DetrScoringModel.Open(TensorRt(cpuFallback: true, "engines-a"));

        var e = Assert.Throws<ArgumentException>(() => model.WithOptions(o => o.TensorRtEngineCacheFolder = "engines-b"));

        Assert.Contains(nameof(DetrScoringOptions.TensorRtEngineCacheFolder), e.Message);
        using var same = model.WithOptions(o => o.ScoreThreshold = 0.3f);
        Assert.Equal(model.ActiveDevice, same.ActiveDevice);
    }
}
