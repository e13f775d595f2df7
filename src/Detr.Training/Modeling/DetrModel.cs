using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// DETR (Carion et al. 2020) in TorchSharp, module for module as facebookresearch/detr so its checkpoints load by key:
/// <c>backbone.0.body.*</c>, <c>transformer.*</c>, <c>input_proj</c>, <c>query_embed</c>, <c>class_embed</c>, <c>bbox_embed</c>.
/// </summary>
public sealed class DetrModel : DetectionTransformer
{
    readonly Joiner backbone;
    readonly Conv2d input_proj;
    readonly Embedding query_embed;
    readonly DetrTransformer transformer;
    readonly Linear class_embed;
    readonly BoxHead bbox_embed;

    /// <summary>A randomly initialised model of <paramref name="config"/>.</summary>
    public DetrModel(DetrConfig config) : base(nameof(DetrModel))
    {
        config.Validate();
        Config = config;
        backbone = new Joiner(config);
        input_proj = nn.Conv2d(config.BackboneChannels, config.HiddenDim, 1);
        query_embed = nn.Embedding(config.Queries, config.HiddenDim);
        transformer = new DetrTransformer(config);
        class_embed = nn.Linear(config.HiddenDim, config.NumClasses + 1);
        bbox_embed = new BoxHead(config.HiddenDim);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public DetrConfig Config { get; }

    /// <inheritdoc />
    public override IDetrArchitecture Architecture => Config;

    /// <inheritdoc />
    public override Backbone Backbone => backbone.Backbone;

    /// <summary>The class head, re-initialised when fine-tuning to another class count.</summary>
    public Linear ClassHead => class_embed;

    /// <summary>Predictions for padded images [B,3,H,W] with their padding mask [B,H,W] (true on padding).</summary>
    public override DetrOutputs forward(Tensor images, Tensor paddingMask)
    {
        using var scope = NewDisposeScope();
        var (features, mask, position) = backbone.forward(images, paddingMask);
        var decoded = transformer.forward(input_proj.forward(features), mask, query_embed.weight!, position); // [L,B,Q,E]
        var logits = class_embed.forward(decoded);
        var boxes = bbox_embed.forward(decoded).sigmoid();
        int last = (int)decoded.shape[0] - 1;
        var auxiliary = Enumerable.Range(0, last).Select(i => (logits[i].MoveToOuterDisposeScope(), boxes[i].MoveToOuterDisposeScope())).ToList();
        return new DetrOutputs(logits[last].MoveToOuterDisposeScope(), boxes[last].MoveToOuterDisposeScope(), auxiliary);
    }
}
