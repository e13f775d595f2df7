using System.Text.Json.Serialization;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// Deformable DETR's architecture (Zhu et al. 2021), with the reference's defaults: R50, 256 wide, 8 heads, 4 feature
/// levels, 4 sampling points, 6+6 layers, FFN 1024, dropout 0.1, 300 queries, 91 classes.
/// </summary>
public sealed record DeformableDetrConfig : IDetrArchitecture
{
    /// <summary>Backbone depth.</summary>
    public ResNetDepth Backbone { get; init; } = ResNetDepth.ResNet50;

    /// <summary>Channels of the ResNet stem; 64 is the real ResNet, smaller values make tiny models.</summary>
    public int BackboneBaseWidth { get; init; } = 64;

    /// <summary>Dilate the last ResNet stage (DC5): C5 at stride 16.</summary>
    public bool Dilation { get; init; }

    /// <summary>Frozen norms (pretrained backbones) or trained batch norm (from scratch).</summary>
    public BackboneNorms BackboneNorms { get; init; } = BackboneNorms.Frozen;

    /// <summary>Transformer width (a multiple of 32: the input projections use GroupNorm(32)).</summary>
    public int HiddenDim { get; init; } = 256;

    /// <summary>Attention heads of the deformable and the decoder's self-attention.</summary>
    public int Heads { get; init; } = 8;

    /// <summary>Feature levels, at least 3: C3–C5 from the backbone, the rest by stride-2 3×3 convolutions on the last.</summary>
    public int FeatureLevels { get; init; } = 4;

    /// <summary>Sampling points per head and level in the encoder.</summary>
    public int EncoderPoints { get; init; } = 4;

    /// <summary>Sampling points per head and level in the decoder.</summary>
    public int DecoderPoints { get; init; } = 4;

    /// <summary>Encoder layers.</summary>
    public int EncoderLayers { get; init; } = 6;

    /// <inheritdoc />
    public int DecoderLayers { get; init; } = 6;

    /// <summary>Feed-forward width inside each layer.</summary>
    public int FeedForwardDim { get; init; } = 1024;

    /// <summary>Dropout in the transformer.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <inheritdoc />
    public int Queries { get; init; } = 300;

    /// <inheritdoc />
    public int NumClasses { get; init; } = 91;

    /// <summary>Iterative box refinement: each decoder layer has its own heads and refines the previous layer's box.</summary>
    public bool BoxRefine { get; init; }

    /// <summary>Two-stage: the decoder's queries come from the encoder's top-scoring proposals (needs <see cref="BoxRefine"/>).</summary>
    public bool TwoStage { get; init; }

    /// <summary>Two-stage: how proposals are ranked (and so what the encoder's class head learns); the reference's objectness by default.</summary>
    public ProposalSelection ProposalSelection { get; init; } = ProposalSelection.Objectness;

    /// <summary>
    /// Denoising training (training only: the model gains a label embedding and a box-position head, <c>denoising.*</c>,
    /// that the inference path, export and scoring never use); null for none, as the reference.
    /// </summary>
    public Denoising.DenoisingSettings? Denoising { get; init; }

    /// <summary>
    /// Train with a dense auxiliary head on the encoder's tokens (<see cref="Deformable.DenseAuxiliaryHead"/>, one-to-many
    /// ATSS assignment; training only: its <c>dense_head.*</c> weights are never used to score); false as the reference.
    /// </summary>
    public bool DenseAuxiliaryHead { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string Name => "deformable";

    /// <inheritdoc />
    [JsonIgnore]
    public ResNetSpec ResNet => new(Backbone, BackboneBaseWidth, Dilation, BackboneNorms);

    /// <inheritdoc />
    [JsonIgnore]
    public string Summary => $"Deformable DETR, ResNet-{(int)Backbone} (stem {BackboneBaseWidth}), {FeatureLevels} levels, {EncoderLayers}+{DecoderLayers} layers " +
        $"{HiddenDim} wide, {Queries} queries{(BoxRefine ? ", box refinement" : "")}{(TwoStage ? ", two-stage" : "")}" +
        (TwoStage && ProposalSelection == ProposalSelection.BestClass ? " (proposals by best class)" : "") +
        (Denoising is { } dn ? $", denoising ({dn.Groups} groups)" : "") + (DenseAuxiliaryHead ? ", dense auxiliary head" : "");

    /// <inheritdoc />
    [JsonIgnore]
    public ClassificationKind Classification => ClassificationKind.Sigmoid;

    /// <inheritdoc />
    public IDetrArchitecture WithNumClasses(int numClasses) => this with { NumClasses = numClasses };

    /// <inheritdoc />
    public DetectionTransformer CreateModel() => new DeformableDetrModel(this);

    /// <summary>Checks the numbers fit together.</summary>
    public void Validate()
    {
        if (HiddenDim <= 0 || HiddenDim % 32 != 0 || HiddenDim % Heads != 0)
            throw new ArgumentException($"HiddenDim {HiddenDim} must be a positive multiple of 32 (GroupNorm(32)) and of Heads ({Heads}).");
        if (FeatureLevels < 3)
            throw new ArgumentException($"FeatureLevels is {FeatureLevels}: this implementation reads C3–C5 and adds stride-2 levels above them, so it takes 3 or more (the reference's single-level C5 variant is not supported).");
        if (EncoderPoints < 1 || DecoderPoints < 1 || DecoderLayers < 1 || EncoderLayers < 0
            || Queries < 1 || NumClasses < 1 || FeedForwardDim < 1 || BackboneBaseWidth < 1)
            throw new ArgumentException("Levels, points, layers, queries, classes and widths must be positive (at least one decoder layer).");
        Denoising?.Validate();
        if (TwoStage && !BoxRefine)
            throw new ArgumentException("Two-stage Deformable DETR refines boxes layer by layer: set BoxRefine too (as the reference's two-stage configuration).");
    }
}
