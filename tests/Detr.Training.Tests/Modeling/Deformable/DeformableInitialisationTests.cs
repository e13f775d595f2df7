using Detr.Training.Modeling.Deformable;
using Detr.Training.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Modeling.Deformable;

/// <summary>A new Deformable DETR starts as the reference's does and gives finite outputs before any training.</summary>
public class DeformableInitialisationTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void StartsFiniteWithTheReferencesInitialisation(bool refine, bool twoStage)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var model = new DeformableDetrModel(DetrRecipes.SmallDeformableModel with { NumClasses = 3, BoxRefine = refine, TwoStage = twoStage });
        model.to(CPU);
        var state = model.state_dict();
        Assert.All(state, p => Assert.True(p.Value.isfinite().all().item<bool>(), $"{p.Key} is not finite"));
        // Input projections' GroupNorm at the identity, class prior 0.01, ring offsets of 1..points steps.
        Assert.True(state["input_proj.0.1.weight"].eq(1).all().item<bool>() && state["input_proj.0.1.bias"].eq(0).all().item<bool>());
        Assert.Equal(-Math.Log(99), state["class_embed.0.bias"][0].item<float>(), 4);
        var offsets = state["transformer.encoder.layers.0.self_attn.sampling_offsets.bias"].view(4, 4, 4, 2); // heads, levels, points, xy
        Assert.Equal(new float[] { 1, 0, 2, 0, 3, 0, 4, 0 }, offsets[0, 0].flatten().data<float>().ToArray());
        Assert.True(state["transformer.encoder.layers.0.self_attn.attention_weights.weight"].eq(0).all().item<bool>());

        model.train();
        var outputs = model.forward(randn(2, 3, 96, 128), zeros(2, 96, 128, ScalarType.Bool));
        Assert.True(outputs.Logits.isfinite().all().item<bool>() && outputs.Boxes.isfinite().all().item<bool>());
        Assert.Equal(twoStage, outputs.Encoder is not null);
    }
}
