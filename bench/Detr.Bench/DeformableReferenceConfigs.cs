using System.Text.Json;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;

namespace Detr.Bench;

/// <summary>The Deformable DETR architectures the comparisons run, and each as bench/baseline/deformable_reference.py's config.</summary>
static class DeformableReferenceConfigs
{
    /// <summary>
    /// The from-scratch recipe's model (<c>DetrRecipes.SmallDeformableModel</c>: ResNet-18 at width 16, 64 wide, 4
    /// heads and levels and points, 2+2 layers, box refinement, two-stage) for 3 classes, in the reference's form: frozen norms
    /// (its only kind), its dropout 0.1.
    /// </summary>
    public static DeformableDetrConfig Tiny { get; } = Detr.Training.Trainers.DetrRecipes.SmallDeformableModel with
    {
        NumClasses = 3,
        Dropout = 0.1,
        BackboneNorms = BackboneNorms.Frozen,
    };

    /// <summary>The reference's Deformable-DETR R50 (256 wide, 8 heads, 4 levels and points, 6+6 layers, 300 queries, 91 classes).</summary>
    public static DeformableDetrConfig R50 { get; } = new();

    public static DeformableDetrConfig Named(string name) => name switch
    {
        "tiny" => Tiny,
        "r50" => R50,
        _ => throw new ArgumentException($"Unknown config '{name}'; use tiny or r50."),
    };

    /// <summary>The keys of bench/baseline/deformable_reference.py's build_model.</summary>
    public static string ToReferenceJson(DeformableDetrConfig config)
    {
        if (config.BackboneNorms != BackboneNorms.Frozen || config.Dilation)
            throw new ArgumentException("The reference's backbone has frozen norms and (here) no dilation.");
        if (config.Backbone == ResNetDepth.ResNet50 ? config.BackboneBaseWidth != 64 : config.Backbone != ResNetDepth.ResNet18)
            throw new ArgumentException("The baseline builds torchvision's ResNet-50 or the fixtures' narrow ResNet-18.");
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["depth"] = (int)config.Backbone, ["width"] = config.BackboneBaseWidth, ["hidden"] = config.HiddenDim, ["heads"] = config.Heads,
            ["levels"] = config.FeatureLevels, ["enc_points"] = config.EncoderPoints, ["dec_points"] = config.DecoderPoints,
            ["enc"] = config.EncoderLayers, ["dec"] = config.DecoderLayers, ["ffn"] = config.FeedForwardDim, ["dropout"] = config.Dropout,
            ["queries"] = config.Queries, ["classes"] = config.NumClasses, ["box_refine"] = config.BoxRefine, ["two_stage"] = config.TwoStage,
        });
    }
}
