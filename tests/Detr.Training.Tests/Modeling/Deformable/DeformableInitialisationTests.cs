using Detr.Training.Modeling.Deformable;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Modeling.Deformable;

/// <summary>A freshly built model starts where the reference's does, whatever the memory it was allocated in held.</summary>
public class DeformableInitialisationTests
{
    [Fact]
    public void InputProjectionGroupNormsStartAtOnesAndZeros()
    {
        using var scope = NewDisposeScope();
        var model = new DeformableDetrModel(DeformableFixtures.Config("plain"));
        var norms = model.named_parameters().Where(p => System.Text.RegularExpressions.Regex.IsMatch(p.name, @"^input_proj\.\d+\.1\.")).ToArray();
        Assert.Equal(2 * model.Config.FeatureLevels, norms.Length);
        foreach (var (name, parameter) in norms)
        {
            float expected = name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f;
            Assert.True(parameter.eq(expected).all().item<bool>(), $"{name} is not all {expected}");
        }
        Assert.DoesNotContain(model.parameters(), p => p.isnan().any().item<bool>());
    }
}
