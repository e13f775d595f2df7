using Detr.MLNet.Labels;
using Detr.MLNet.Scoring;

namespace Detr.MLNet.Tests.Scoring;

public class DetrPostprocessingDetectionTests
{
    static readonly Dictionary<string, string> None = new();

    [Theory]
    [InlineData("sigmoid", DetrPostprocessing.SigmoidTopK)]
    [InlineData("softmax", DetrPostprocessing.Softmax)]
    public void TheModelsMetadataDecides(string stated, DetrPostprocessing expected)
    {
        var metadata = new Dictionary<string, string> { [DetrModelMetadataKeys.Postprocess] = stated };
        // Even against what the width and labels would suggest.
        Assert.Equal(expected, DetrPostprocessingDetection.Resolve(DetrPostprocessing.Auto, metadata, 5, expected == DetrPostprocessing.Softmax ? 5 : 4));
    }

    [Fact]
    public void AnUnknownMetadataValueIsAnError()
    {
        var metadata = new Dictionary<string, string> { [DetrModelMetadataKeys.Postprocess] = "focal" };
        var error = Assert.Throws<InvalidDataException>(() => DetrPostprocessingDetection.Resolve(DetrPostprocessing.Auto, metadata, 5, null));
        Assert.Contains("focal", error.Message);
    }

    [Theory]
    [InlineData(5, 5, DetrPostprocessing.SigmoidTopK)] // as many columns as labels: no no-object
    [InlineData(6, 5, DetrPostprocessing.Softmax)]
    [InlineData(9, 5, DetrPostprocessing.Softmax)] // fits neither: the label check reports it
    [InlineData(91, null, DetrPostprocessing.SigmoidTopK)] // COCO's Deformable DETR head
    [InlineData(92, null, DetrPostprocessing.Softmax)] // COCO's DETR head
    [InlineData(5, null, DetrPostprocessing.Softmax)]
    public void WithoutMetadataTheWidthDecides(int width, int? labels, DetrPostprocessing expected) =>
        Assert.Equal(expected, DetrPostprocessingDetection.Resolve(DetrPostprocessing.Auto, None, width, labels));

    [Fact]
    public void TheOptionOverridesEverything()
    {
        var metadata = new Dictionary<string, string> { [DetrModelMetadataKeys.Postprocess] = "sigmoid" };
        Assert.Equal(DetrPostprocessing.Softmax, DetrPostprocessingDetection.Resolve(DetrPostprocessing.Softmax, metadata, 5, 5));
        Assert.Equal(DetrPostprocessing.SigmoidTopK, DetrPostprocessingDetection.Resolve(DetrPostprocessing.SigmoidTopK, None, 92, null));
        Assert.Equal(91, DetrPostprocessingDetection.ClassCount(DetrPostprocessing.SigmoidTopK, 91));
        Assert.Equal(91, DetrPostprocessingDetection.ClassCount(DetrPostprocessing.Softmax, 92));
    }
}
