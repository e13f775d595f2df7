using System.Text.Json.Serialization;

namespace Detr.Training.Modeling;

/// <summary>ResNet depth of the backbone.</summary>
public enum ResNetDepth
{
    /// <summary>ResNet-18 (basic blocks 2-2-2-2).</summary>
    ResNet18 = 18,

    /// <summary>ResNet-34 (basic blocks 3-4-6-3).</summary>
    ResNet34 = 34,

    /// <summary>ResNet-50 (bottlenecks 3-4-6-3), the paper's default.</summary>
    ResNet50 = 50,

    /// <summary>ResNet-101 (bottlenecks 3-4-23-3).</summary>
    ResNet101 = 101,
}

/// <summary>Kind of spatial position embedding.</summary>
public enum PositionEmbeddingKind
{
    /// <summary>Fixed sine/cosine of the normalised cumulative position of real pixels (the paper's default).</summary>
    Sine,

    /// <summary>Learned row and column embeddings (50 each).</summary>
    Learned,
}

/// <summary>DETR's architecture, with the paper's defaults (R50, 256 wide, 8 heads, 6+6 layers, FFN 2048, 100 queries, 91 classes).</summary>
public sealed record DetrConfig : IDetrArchitecture
{
    /// <summary>Backbone depth.</summary>
    public ResNetDepth Backbone { get; init; } = ResNetDepth.ResNet50;

    /// <summary>Channels of the ResNet stem; 64 is the real ResNet, smaller values make tiny test models.</summary>
    public int BackboneBaseWidth { get; init; } = 64;

    /// <summary>Dilate the last ResNet stage instead of striding it (DC5): stride 16 features.</summary>
    public bool Dilation { get; init; }

    /// <summary>
    /// The trunk's norms: frozen as the reference (default, for pretrained backbones), or trained batch norm for a
    /// backbone trained from random weights. Both have the same state-dict entries and score identically in eval mode.
    /// </summary>
    public BackboneNorms BackboneNorms { get; init; } = BackboneNorms.Frozen;

    /// <summary>Transformer width.</summary>
    public int HiddenDim { get; init; } = 256;

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 8;

    /// <summary>Encoder layers.</summary>
    public int EncoderLayers { get; init; } = 6;

    /// <summary>Decoder layers.</summary>
    public int DecoderLayers { get; init; } = 6;

    /// <summary>Feed-forward width inside each transformer layer.</summary>
    public int FeedForwardDim { get; init; } = 2048;

    /// <summary>Dropout in the transformer.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Object queries (maximum detections per image).</summary>
    public int Queries { get; init; } = 100;

    /// <summary>Classes, not counting no-object (COCO's 91 ids in the published models).</summary>
    public int NumClasses { get; init; } = 91;

    /// <summary>Normalise before each attention/FFN block instead of after.</summary>
    public bool PreNorm { get; init; }

    /// <summary>Spatial position embedding.</summary>
    public PositionEmbeddingKind PositionEmbedding { get; init; } = PositionEmbeddingKind.Sine;

    /// <summary>Checks the numbers fit together.</summary>
    public void Validate()
    {
        if (HiddenDim <= 0 || HiddenDim % Heads != 0 || HiddenDim % 4 != 0)
            throw new ArgumentException($"HiddenDim {HiddenDim} must be positive, a multiple of 4 and of Heads ({Heads}).");
        if (EncoderLayers < 0 || DecoderLayers < 1 || Queries < 1 || NumClasses < 1 || FeedForwardDim < 1 || BackboneBaseWidth < 1)
            throw new ArgumentException("Layer counts, queries, classes and widths must be positive (at least one decoder layer).");
    }

    /// <summary>The ResNet trunk of this configuration.</summary>
    [JsonIgnore]
    public ResNetSpec ResNet => new(Backbone, BackboneBaseWidth, Dilation, BackboneNorms);

    /// <summary>Blocks per stage and whether they are bottlenecks.</summary>
    [JsonIgnore]
    public (int[] Blocks, bool Bottleneck) Stages => ResNet.Stages;

    /// <summary>Channels of the backbone's last feature map.</summary>
    [JsonIgnore]
    public int BackboneChannels => ResNet.LastChannels;

    /// <inheritdoc />
    [JsonIgnore]
    public string Name => "detr";

    /// <inheritdoc />
    [JsonIgnore]
    public string Summary => $"DETR, ResNet-{(int)Backbone} (stem {BackboneBaseWidth}{(Dilation ? ", DC5" : "")}), {EncoderLayers}+{DecoderLayers} layers {HiddenDim} wide, {Queries} queries";

    /// <inheritdoc />
    [JsonIgnore]
    public ClassificationKind Classification => ClassificationKind.SoftmaxWithNoObject;

    /// <inheritdoc />
    public IDetrArchitecture WithNumClasses(int numClasses) => this with { NumClasses = numClasses };

    /// <inheritdoc />
    public DetectionTransformer CreateModel() => new DetrModel(this);
}
