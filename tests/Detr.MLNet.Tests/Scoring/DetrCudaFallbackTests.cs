using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>CUDA asked for with ONNX Runtime's CPU build (this test project's): a warning and CPU scoring, or the reason.</summary>
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
        var raw = model.CreateScorer().RunRawPerImage([new RgbImage(new byte[32 * 32 * 3], 32, 32)]);
        Assert.True(raw[0].Queries > 0);
    }

    [Fact]
    public void WithoutFallbackFailsWithTheReason()
    {
        var e = Assert.Throws<InvalidOperationException>(() => DetrScoringModel.Open(Cuda(cpuFallback: false)));
        Assert.Contains("CUDA execution provider unavailable", e.Message);
        Assert.Contains("Detr.MLNet.Gpu", e.Message);
        Assert.Contains("CpuFallback", e.Message);
    }
}
