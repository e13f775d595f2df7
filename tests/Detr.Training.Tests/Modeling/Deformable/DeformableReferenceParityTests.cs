using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Modeling.Deformable;

/// <summary>The TorchSharp Deformable DETR against the reference's code run in PyTorch with the same weights.</summary>
public class DeformableReferenceParityTests
{
    [Theory]
    [InlineData("plain", "single")]
    [InlineData("plain", "batch")]
    [InlineData("refine", "single")]
    [InlineData("refine", "batch")]
    [InlineData("twostage", "single")]
    [InlineData("twostage", "batch")]
    public void EveryLayersOutputsEqualTheReference(string variant, string input)
    {
        using var scope = NewDisposeScope();
        var model = DeformableFixtures.Model(variant);
        var images = DeformableFixtures.Bin(variant, $"{input}_images");
        var mask = DeformableFixtures.Bin(variant, $"{input}_mask").to(ScalarType.Bool);
        using var noGrad = no_grad();
        var outputs = model.forward(images, mask);
        var (logits, boxes) = ModelFixtures.Stacked(outputs);
        AssertClose(DeformableFixtures.Bin(variant, $"{input}_pred_logits"), logits, $"{variant} {input} logits");
        AssertClose(DeformableFixtures.Bin(variant, $"{input}_pred_boxes"), boxes, $"{variant} {input} boxes");
        if (model.Config.TwoStage)
        {
            Assert.NotNull(outputs.Encoder);
            AssertClose(DeformableFixtures.Bin(variant, $"{input}_enc_logits"), outputs.Encoder!.Value.Logits, $"{variant} {input} encoder logits");
            AssertClose(DeformableFixtures.Bin(variant, $"{input}_enc_boxes"), outputs.Encoder!.Value.Boxes, $"{variant} {input} encoder boxes");
        }
        else
            Assert.Null(outputs.Encoder);
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var difference = ModelFixtures.MaxAbsDifference(expected, actual);
        Assert.True(difference <= 1e-4f, $"{what} differ from the reference's by {difference}");
    }
}
