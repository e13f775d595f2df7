using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>The reference's <c>backbone</c>: child "0" is the ResNet, child "1" the position embedding.</summary>
public sealed class Joiner : nn.Module<Tensor, Tensor, (Tensor Features, Tensor Mask, Tensor Position)>
{
    // Held in a record, not module fields: TorchSharp registers module-typed fields under their field names, and
    // the reference names these children "0" and "1".
    sealed record Children(Backbone Backbone, nn.Module<Tensor, Tensor> Position);

    readonly Children _children;

    /// <summary>Backbone and embedding for <paramref name="config"/>.</summary>
    public Joiner(DetrConfig config) : base(nameof(Joiner))
    {
        _children = new Children(new Backbone(config.ResNet), config.PositionEmbedding == PositionEmbeddingKind.Sine
            ? new SinePositionEmbedding(config.HiddenDim)
            : new LearnedPositionEmbedding(config.HiddenDim));
        register_module("0", _children.Backbone);
        register_module("1", _children.Position);
    }

    /// <summary>The ResNet.</summary>
    public Backbone Backbone => _children.Backbone;

    /// <summary>Features, their padding mask and position embedding.</summary>
    public override (Tensor Features, Tensor Mask, Tensor Position) forward(Tensor images, Tensor paddingMask)
    {
        var (features, mask) = _children.Backbone.forward(images, paddingMask);
        return (features, mask, _children.Position.forward(mask).to(features.dtype));
    }
}
