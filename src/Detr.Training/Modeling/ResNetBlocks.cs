using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// torchvision's BasicBlock (two 3×3 convolutions) with frozen (or trained) norms; names match torchvision's state dict.
/// Unlike torchvision it takes a dilation, so ResNet-18/34 can have DC5 too (both convolutions dilated, as the 3×3 of a
/// bottleneck is); the weights are the same either way.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
    readonly nn.Module<Tensor, Tensor>? downsample;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(long inChannels, long planes, long stride, long dilation = 1, BackboneNorms norms = BackboneNorms.Frozen) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inChannels, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = BackboneNorm.Create(norms, planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = BackboneNorm.Create(norms, planes);
        if (stride != 1 || inChannels != planes)
            downsample = nn.Sequential(("0", nn.Conv2d(inChannels, planes, 1, stride: stride, bias: false)), ("1", BackboneNorm.Create(norms, planes)));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        var identity = downsample?.forward(x) ?? x;
        return nn.functional.relu(y.Plus(identity)).MoveToOuterDisposeScope();
    }
}

/// <summary>torchvision's Bottleneck (1×1, 3×3 with the stride and dilation, 1×1 ×4) with frozen (or trained) norms.</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels are planes × 4.</summary>
    public const int Expansion = 4;

    readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2, conv3, bn3;
    readonly nn.Module<Tensor, Tensor>? downsample;

    /// <summary>A block from <paramref name="inChannels"/> to planes·4 channels.</summary>
    public Bottleneck(long inChannels, long planes, long stride, long dilation, bool withDownsample, BackboneNorms norms = BackboneNorms.Frozen) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inChannels, planes, 1, bias: false);
        bn1 = BackboneNorm.Create(norms, planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = BackboneNorm.Create(norms, planes);
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = BackboneNorm.Create(norms, planes * Expansion);
        if (withDownsample)
            downsample = nn.Sequential(("0", nn.Conv2d(inChannels, planes * Expansion, 1, stride: stride, bias: false)),
                ("1", BackboneNorm.Create(norms, planes * Expansion)));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = nn.functional.relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(y));
        var identity = downsample?.forward(x) ?? x;
        return nn.functional.relu(y.Plus(identity)).MoveToOuterDisposeScope();
    }
}
