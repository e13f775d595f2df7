using System.Text.Json;
using Detr.Training.Modeling;

namespace Detr.Bench;

/// <summary>The architectures the comparisons run, and each one as the config of the re-typed reference in tests/fixtures.</summary>
static class ReferenceConfigs
{
    /// <summary>
    /// The trainer's small model (ResNet-18 at width 16, 64 wide, 2+2 layers, 20 queries) for 3 classes, in the
    /// reference's form (frozen norms, no dilation: torchvision's BasicBlock has none) and with the reference's dropout.
    /// </summary>
    public static DetrConfig Tiny { get; } = Detr.Training.Trainers.DetrRecipes.SmallModel with
    {
        NumClasses = 3,
        Dropout = 0.1,
        BackboneNorms = BackboneNorms.Frozen,
        Dilation = false,
    };

    /// <summary>The paper's DETR-R50 (frozen norms, 256 wide, 6+6 layers, 100 queries, 91 classes).</summary>
    public static DetrConfig R50 { get; } = new();

    public static DetrConfig Named(string name) => name switch
    {
        "tiny" => Tiny,
        "r50" => R50,
        _ => throw new ArgumentException($"Unknown config '{name}'; use tiny or r50."),
    };

    /// <summary>The keys of tests/fixtures/make_model_fixtures.py's DETR(cfg).</summary>
    public static string ToReferenceJson(DetrConfig config)
    {
        if (config.BackboneNorms != BackboneNorms.Frozen)
            throw new ArgumentException("The reference's backbone has frozen norms only.");
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["depth"] = (int)config.Backbone, ["width"] = config.BackboneBaseWidth, ["dilation"] = config.Dilation,
            ["hidden"] = config.HiddenDim, ["heads"] = config.Heads, ["enc"] = config.EncoderLayers, ["dec"] = config.DecoderLayers,
            ["ffn"] = config.FeedForwardDim, ["queries"] = config.Queries, ["classes"] = config.NumClasses, ["pre_norm"] = config.PreNorm,
            ["position"] = config.PositionEmbedding == PositionEmbeddingKind.Sine ? "sine" : "learned", ["dropout"] = config.Dropout,
        });
    }
}
