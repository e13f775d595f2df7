using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

/// <summary>
/// detr_r18_tiny's weights under huggingface transformers' DetrForObjectDetection names, renamed in
/// make_model_fixtures.py as transformers' own conversion script does (not by our key map), give the reference's outputs.
/// </summary>
public class TransformersSafetensorsTests
{
    static string TransformersPath => ModelFixtures.Path("detr_r18_tiny_transformers.safetensors");

    [Theory]
    [InlineData("single")]
    [InlineData("batch")]
    public void OpenGivesTheReferenceOutputs(string input)
    {
        using var scope = NewDisposeScope();
        var (model, labels, report) = DetrWeights.Open(TransformersPath, heads: 4);
        AssertExact(report);
        Assert.Null(labels);
        Assert.Equal(ModelFixtures.Config("r18_tiny") with { Dropout = ((DetrModel)model).Config.Dropout }, ((DetrModel)model).Config); // inferred from the renamed weights
        ModelFixtures.AssertReferenceOutputs(model, "r18_tiny", input);
    }

    [Fact]
    public void LoadIntoGivesTheReferenceWeightsBitForBit()
    {
        using var scope = NewDisposeScope();
        var model = new DetrModel(ModelFixtures.Config("r18_tiny"));
        AssertExact(DetrWeights.LoadInto(model, TransformersPath));
        var (reference, _) = SafetensorsFile.Read(ModelFixtures.Path("detr_r18_tiny.safetensors"));
        foreach (var (name, tensor) in model.state_dict())
            Assert.True(tensor.allclose(reference[name], rtol: 0, atol: 0), $"{name} differs from the reference checkpoint's");
        model.eval();
        ModelFixtures.AssertReferenceOutputs(model, "r18_tiny", "batch");
    }

    static void AssertExact(LoadReport report)
    {
        Assert.True(report.IsExact, report.ToString());
        Assert.Empty(report.Reinitialised);
    }
}
