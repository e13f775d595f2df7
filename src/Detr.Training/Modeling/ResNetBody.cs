using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// The ResNet trunk up to the last stage (no pooling head), in torchvision's layout so checkpoints load by name:
/// conv1, bn1, layer1..layer4. DC5 replaces the last stage's stride with dilation as torchvision does.
/// </summary>
public sealed class ResNetBody : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv1, bn1, layer1, layer2, layer3, layer4;

    /// <summary>Builds the trunk for <paramref name="spec"/>.</summary>
    public ResNetBody(ResNetSpec spec) : base(nameof(ResNetBody))
    {
        var (blocks, bottleneck) = spec.Stages;
        long width = spec.BaseWidth;
        conv1 = nn.Conv2d(3, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = BackboneNorm.Create(spec.Norms, width);
        long inChannels = width;
        long dilation = 1;
        var layers = new nn.Module<Tensor, Tensor>[4];
        for (int stage = 0; stage < 4; stage++)
        {
            long planes = width << stage;
            long stride = stage == 0 ? 1 : 2;
            long previousDilation = dilation;
            if (stage == 3 && spec.Dilation)
            {
                dilation *= stride;
                stride = 1;
            }
            var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < blocks[stage]; b++)
            {
                long blockStride = b == 0 ? stride : 1;
                if (bottleneck)
                {
                    bool downsample = b == 0 && (stride != 1 || inChannels != planes * Bottleneck.Expansion);
                    modules.Add((b.ToString(), new Bottleneck(inChannels, planes, blockStride, b == 0 ? previousDilation : dilation, downsample, spec.Norms)));
                    inChannels = planes * Bottleneck.Expansion;
                }
                else
                {
                    modules.Add((b.ToString(), new BasicBlock(inChannels, planes, blockStride, b == 0 ? previousDilation : dilation, spec.Norms)));
                    inChannels = planes;
                }
            }
            layers[stage] = nn.Sequential(modules);
        }
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        RegisterComponents();
    }

    /// <summary>The last stage's feature map [B, C, H/32, W/32] (H/16 with dilation).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ForwardStages(x)[^1].MoveToOuterDisposeScope();
    }

    /// <summary>The maps of layer2, layer3 and layer4 (C3, C4, C5: strides 8, 16, 32; 16 for the last with dilation).</summary>
    public Tensor[] ForwardStages(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = nn.functional.max_pool2d(y, 3, stride: 2, padding: 1);
        var c3 = layer2.forward(layer1.forward(y));
        var c4 = layer3.forward(c3);
        var c5 = layer4.forward(c4);
        return [c3.MoveToOuterDisposeScope(), c4.MoveToOuterDisposeScope(), c5.MoveToOuterDisposeScope()];
    }
}
