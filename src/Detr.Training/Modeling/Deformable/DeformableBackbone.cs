using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// The reference's <c>backbone</c> for Deformable DETR: child "0" the ResNet giving C3–C5, child "1" the sine position
/// embedding (pixel-centre form, no parameters) applied to any level's mask.
/// </summary>
public sealed class DeformableBackbone : nn.Module
{
    // Held in a record, not fields: TorchSharp registers module fields under their field names, the reference uses "0"/"1".
    sealed record Children(Backbone Trunk, SinePositionEmbedding Position);

    readonly Children _children;

    /// <summary>The trunk of <paramref name="spec"/> and an embedding <paramref name="hiddenDim"/> wide.</summary>
    public DeformableBackbone(ResNetSpec spec, int hiddenDim) : base(nameof(DeformableBackbone))
    {
        _children = new Children(new Backbone(spec), new SinePositionEmbedding(hiddenDim, pixelCentres: true));
        register_module("0", _children.Trunk);
        register_module("1", _children.Position);
    }

    /// <summary>The ResNet.</summary>
    public Backbone Trunk => _children.Trunk;

    /// <summary>C3, C4, C5 with their masks.</summary>
    public (Tensor Features, Tensor Mask)[] Forward(Tensor images, Tensor paddingMask) => _children.Trunk.ForwardLevels(images, paddingMask);

    /// <summary>The position embedding [B,E,h,w] of a level's mask.</summary>
    public Tensor Position(Tensor mask, ScalarType dtype) => _children.Position.forward(mask).to(dtype);
}
