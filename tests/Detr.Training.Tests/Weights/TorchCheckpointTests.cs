using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

/// <summary>Reference checkpoints written by torch.save (zip format; a main.py training checkpoint and a bare {"model": state_dict}) load without Python.</summary>
public class TorchCheckpointTests
{
    [Theory]
    [InlineData("r18_tiny", 4, false)]
    [InlineData("r50_tiny_dc5_prenorm_learned", 4, true)]
    public void PthGivesTheReferenceOutputs(string name, int heads, bool dilation)
    {
        using var scope = NewDisposeScope();
        var (model, _, report) = DetrWeights.Open(ModelFixtures.Path($"detr_{name}.pth"), heads, dilation);
        Assert.True(report.IsExact, report.ToString());
        ModelFixtures.AssertReferenceOutputs(model, name, "batch");
    }

    [Fact]
    public void NotACheckpointIsAClearError()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "broken.pth");
        File.WriteAllText(path, "not a zip, not a pickle");
        var e = Assert.ThrowsAny<Exception>(() => DetrWeights.ReadStateDict(path));
        Assert.Contains("broken.pth", e.Message);
    }
}
