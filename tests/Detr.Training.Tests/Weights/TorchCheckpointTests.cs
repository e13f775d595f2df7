using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

/// <summary>Reference checkpoints written by torch.save ({"model": state_dict}, zip format) load without Python.</summary>
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
        var images = ModelFixtures.Tensor(name, "batch_images");
        var mask = ModelFixtures.Tensor(name, "batch_mask").to(ScalarType.Bool);
        using var noGrad = no_grad();
        var (logits, boxes) = ModelFixtures.Stacked(model.forward(images, mask));
        Assert.True(ModelFixtures.MaxAbsDifference(ModelFixtures.Tensor(name, "batch_logits"), logits) <= 1e-4f);
        Assert.True(ModelFixtures.MaxAbsDifference(ModelFixtures.Tensor(name, "batch_boxes"), boxes) <= 1e-4f);
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
