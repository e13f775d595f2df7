namespace Detr.Training.Modeling;

/// <summary>
/// The ResNet trunk both architectures share: depth, stem width, DC5 and the kind of norms. DETR reads its last stage;
/// Deformable DETR reads the last three (C3–C5).
/// </summary>
public sealed record ResNetSpec(ResNetDepth Depth, int BaseWidth, bool Dilation, BackboneNorms Norms)
{
    /// <summary>Blocks per stage and whether they are bottlenecks.</summary>
    public (int[] Blocks, bool Bottleneck) Stages => Depth switch
    {
        ResNetDepth.ResNet18 => ([2, 2, 2, 2], false),
        ResNetDepth.ResNet34 => ([3, 4, 6, 3], false),
        ResNetDepth.ResNet50 => ([3, 4, 6, 3], true),
        ResNetDepth.ResNet101 => ([3, 4, 23, 3], true),
        _ => throw new ArgumentOutOfRangeException(nameof(Depth)),
    };

    /// <summary>Output channels of stage <paramref name="stage"/> (0 = layer1 … 3 = layer4).</summary>
    public int StageChannels(int stage) => (BaseWidth << stage) * (Stages.Bottleneck ? 4 : 1);

    /// <summary>Channels of the last stage (layer4).</summary>
    public int LastChannels => StageChannels(3);
}
