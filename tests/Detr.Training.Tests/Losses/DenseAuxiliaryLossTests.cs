using Detr.Training.Losses;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Losses;

public class DenseAuxiliaryLossTests
{
    // Two images of four tokens each on one level: anchors of side 0.5 centred in the quadrants.
    static DenseOutputs Outputs(float logit)
    {
        float[] quadrants = [0.25f, 0.25f, 0.5f, 0.5f, 0.75f, 0.25f, 0.5f, 0.5f, 0.25f, 0.75f, 0.5f, 0.5f, 0.75f, 0.75f, 0.5f, 0.5f];
        var anchors = tensor(quadrants.Concat(quadrants).ToArray(), [2, 4, 4]);
        return new DenseOutputs(full([2, 4, 2], logit), anchors.clone(), anchors, ones([2, 4], dtype: ScalarType.Bool), [0, 0, 0, 0]);
    }

    static DetrTarget Empty() => new(zeros([0], dtype: ScalarType.Int64), zeros([0, 4]));

    [Fact]
    public void ImagesWithoutObjectsAreAllBackground()
    {
        using var scope = NewDisposeScope();
        var (classification, l1, giou) = DenseAuxiliaryLoss.Compute(Outputs(-20f), [Empty(), Empty()], numClasses: 2);
        // Confident background everywhere and nothing to box: every term (almost) zero, none NaN.
        Assert.InRange(classification.item<float>(), 0f, 1e-6f);
        Assert.Equal(0f, l1.item<float>());
        Assert.Equal(0f, giou.item<float>());
    }

    [Fact]
    public void AnEmptyImageBesideAnObjectOnlyCostsItsOwnTokens()
    {
        using var scope = NewDisposeScope();
        // The object fills the top-left quadrant of the second image, whose anchor predicts it exactly.
        var withObject = new DetrTarget(tensor(new long[] { 1 }), tensor(new[] { 0.25f, 0.25f, 0.5f, 0.5f }, [1, 4]));
        var (classification, l1, giou) = DenseAuxiliaryLoss.Compute(Outputs(-20f), [Empty(), withObject], numClasses: 2);
        // One positive scored as background costs its focal loss; the boxes fit exactly.
        Assert.True(classification.item<float>() > 1f, $"the positive's classification loss {classification.item<float>()}");
        Assert.Equal(0f, l1.item<float>(), 6);
        Assert.Equal(0f, giou.item<float>(), 6);
    }
}
