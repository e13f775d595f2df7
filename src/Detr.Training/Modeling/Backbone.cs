using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>The ResNet trunk wrapped as the reference's <c>backbone.0</c> (<c>body</c>), giving features and their padding mask.</summary>
public sealed class Backbone : nn.Module<Tensor, Tensor, (Tensor Features, Tensor Mask)>
{
    readonly ResNetBody body;

    /// <summary>The trunk for <paramref name="spec"/>.</summary>
    public Backbone(ResNetSpec spec) : base(nameof(Backbone))
    {
        body = new ResNetBody(spec);
        RegisterComponents();
    }

    /// <summary>The ResNet itself, whose state-dict names are torchvision's (conv1, bn1, layer1..layer4).</summary>
    internal ResNetBody Body => body;

    /// <summary>Features [B,C,h,w] and the padding mask [B,h,w] resized to them (nearest, as F.interpolate).</summary>
    public override (Tensor Features, Tensor Mask) forward(Tensor images, Tensor paddingMask)
    {
        var features = body.forward(images);
        return (features, ResizeMask(paddingMask, features));
    }

    /// <summary>C3, C4 and C5 with their padding masks, for the multi-scale architectures.</summary>
    public (Tensor Features, Tensor Mask)[] ForwardLevels(Tensor images, Tensor paddingMask) =>
        body.ForwardStages(images).Select(features => (features, ResizeMask(paddingMask, features))).ToArray();

    /// <summary>The padding mask [B,H,W] resized to a feature map's size (nearest, as the reference's F.interpolate).</summary>
    public static Tensor ResizeMask(Tensor paddingMask, Tensor features)
    {
        using var scope = NewDisposeScope();
        var mask = nn.functional.interpolate(paddingMask.unsqueeze(0).to(ScalarType.Float32),
            size: [features.shape[2], features.shape[3]], mode: InterpolationMode.Nearest).to(ScalarType.Bool)[0];
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Freezes the trunk's trainable weights as the reference does for a pretrained backbone: all of them, or the stem
    /// and first stage. With <paramref name="stemAndFirstStage"/> false (a backbone trained from scratch) only
    /// <paramref name="entireTrunk"/> freezes anything.
    /// </summary>
    public void Freeze(bool entireTrunk, bool stemAndFirstStage = true)
    {
        foreach (var (name, parameter) in body.named_parameters())
            if (entireTrunk || (stemAndFirstStage && !(name.StartsWith("layer2") || name.StartsWith("layer3") || name.StartsWith("layer4"))))
                parameter.requires_grad = false;
    }
}
