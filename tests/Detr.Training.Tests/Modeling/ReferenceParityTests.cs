using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Modeling;

/// <summary>The TorchSharp DETR against the reference architecture run in PyTorch with the same weights.</summary>
public class ReferenceParityTests
{
    [Theory]
    [InlineData("r18_tiny", "single")]
    [InlineData("r18_tiny", "batch")]
    [InlineData("r50_tiny_dc5_prenorm_learned", "single")]
    [InlineData("r50_tiny_dc5_prenorm_learned", "batch")]
    public void OutputsEqualTheReference(string name, string input)
    {
        using var scope = NewDisposeScope();
        var model = new DetrModel(ModelFixtures.Config(name));
        var (weights, _) = SafetensorsFile.Read(ModelFixtures.Path($"detr_{name}.safetensors"));
        var report = StateDictLoader.Load(model, weights);
        Assert.True(report.IsExact, report.ToString());
        model.eval();
        ModelFixtures.AssertReferenceOutputs(model, name, input);
    }
}
