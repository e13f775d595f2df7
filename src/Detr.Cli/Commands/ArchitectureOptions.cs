using System.CommandLine;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Modeling.Deformable.Denoising;
using Detr.Training.Trainers;
using Detr.Training.Weights;

namespace Detr.Cli.Commands;

/// <summary>
/// <c>detr train</c>'s architecture flags: which model trains (the recipe's, the <c>--from</c> checkpoint's, or the
/// one <c>--architecture</c> names) and single changes to it. Flags left out keep the chosen model's values.
/// </summary>
sealed class ArchitectureOptions
{
    readonly Option<string?> _architecture = new("--architecture") { Description = "detr or deformable (default: the recipe's, or the --from checkpoint's)." };
    readonly Option<int?> _backbone = new("--backbone") { Description = "ResNet depth: 18, 34, 50 or 101." };
    readonly Option<int?> _backboneWidth = new("--backbone-width") { Description = "Channels of the ResNet stem (64 is the real ResNet; the from-scratch recipe's is 32)." };
    readonly Option<int?> _hiddenDim = new("--hidden-dim") { Description = "Transformer width." };
    readonly Option<int?> _encoderLayers = new("--encoder-layers") { Description = "Transformer encoder layers." };
    readonly Option<int?> _decoderLayers = new("--decoder-layers") { Description = "Transformer decoder layers." };
    readonly Option<int?> _queries = new("--queries") { Description = "Object queries (most detections per image)." };
    readonly Option<bool?> _boxRefine = new("--box-refine") { Description = "Deformable DETR: iterative box refinement." };
    readonly Option<bool?> _twoStage = new("--two-stage") { Description = "Deformable DETR: queries from the encoder's proposals (implies --box-refine)." };
    readonly Option<ProposalSelection?> _proposalSelection = new("--proposal-selection")
    {
        Description = "Two-stage Deformable DETR: rank proposals by Objectness (the reference) or BestClass (DINO: the encoder learns the classes).",
    };
    readonly Option<int?> _levels = new("--levels") { Description = "Deformable DETR: feature levels (C3–C5 plus stride-2 extra levels)." };
    readonly Option<int?> _points = new("--points") { Description = "Deformable DETR: sampling points per head and level, in encoder and decoder." };
    readonly Option<int?> _decoderPoints = new("--decoder-points") { Description = "Deformable DETR: sampling points per head and level in the decoder only (overrides --points there)." };
    readonly Option<bool?> _denseHead = new("--dense-head")
    {
        Description = "Deformable DETR: train with a dense auxiliary head on the encoder (Co-DETR's one-to-many ATSS branch); training only, the exported model is the same either way.",
    };
    readonly Option<int?> _denoising = new("--denoising")
    {
        Description = "Deformable DETR: groups of noised ground-truth queries in training (DN-DETR); 0 for none. The exported model is the same either way.",
    };

    /// <summary>Adds every flag to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _architecture, _backbone, _backboneWidth, _hiddenDim, _encoderLayers, _decoderLayers, _queries,
            _boxRefine, _twoStage, _proposalSelection, _levels, _points, _decoderPoints, _denseHead, _denoising })
            command.Options.Add(option);
    }

    /// <summary>The recipe's model (or the <paramref name="startFrom"/> checkpoint's) with the flags' changes.</summary>
    public IDetrArchitecture Apply(ParseResult parsed, IDetrArchitecture? recipeModel, string? startFrom)
    {
        string? name = parsed.GetValue(_architecture);
        IDetrArchitecture model = startFrom is not null && name is null ? DetrWeights.ArchitectureOf(startFrom)
            : (name?.ToLowerInvariant(), recipeModel) switch
            {
                (null, not null) => recipeModel,
                (null, null) or ("detr", DetrConfig or null) => recipeModel as DetrConfig ?? new DetrConfig(),
                ("detr", _) => DetrRecipes.SmallModel,
                ("deformable", DeformableDetrConfig deformable) => deformable,
                ("deformable", DetrConfig { BackboneNorms: BackboneNorms.Frozen }) or ("deformable", null) => new DeformableDetrConfig(),
                ("deformable", _) => DetrRecipes.SmallDeformableModel,
                _ => throw new ArgumentException($"Unknown --architecture '{name}'; use detr or deformable."),
            };
        int? depth = parsed.GetValue(_backbone);
        return model switch
        {
            DetrConfig detr => ApplyToDetr(parsed, detr, depth),
            DeformableDetrConfig deformable => ApplyToDeformable(parsed, deformable, depth),
            _ => throw new ArgumentException($"No flags apply to a {model.Name} model."),
        };
    }

    DetrConfig ApplyToDetr(ParseResult parsed, DetrConfig detr, int? depth)
    {
        if (parsed.GetValue(_boxRefine) is not null || parsed.GetValue(_twoStage) is not null || parsed.GetValue(_levels) is not null
            || parsed.GetValue(_points) is not null || parsed.GetValue(_decoderPoints) is not null || parsed.GetValue(_denoising) is not null || parsed.GetValue(_proposalSelection) is not null
            || parsed.GetValue(_denseHead) is not null)
            throw new ArgumentException("--box-refine, --two-stage, --levels, --points, --decoder-points, --dense-head, --denoising and --proposal-selection are Deformable DETR options; add --architecture deformable.");
        return detr with
        {
            Backbone = depth is int d ? (ResNetDepth)d : detr.Backbone,
            BackboneBaseWidth = parsed.GetValue(_backboneWidth) ?? detr.BackboneBaseWidth,
            HiddenDim = parsed.GetValue(_hiddenDim) ?? detr.HiddenDim,
            EncoderLayers = parsed.GetValue(_encoderLayers) ?? detr.EncoderLayers,
            DecoderLayers = parsed.GetValue(_decoderLayers) ?? detr.DecoderLayers,
            Queries = parsed.GetValue(_queries) ?? detr.Queries,
        };
    }

    DeformableDetrConfig ApplyToDeformable(ParseResult parsed, DeformableDetrConfig deformable, int? depth)
    {
        bool? twoStage = parsed.GetValue(_twoStage);
        int? points = parsed.GetValue(_points);
        return deformable with
        {
            Backbone = depth is int d ? (ResNetDepth)d : deformable.Backbone,
            BackboneBaseWidth = parsed.GetValue(_backboneWidth) ?? deformable.BackboneBaseWidth,
            HiddenDim = parsed.GetValue(_hiddenDim) ?? deformable.HiddenDim,
            EncoderLayers = parsed.GetValue(_encoderLayers) ?? deformable.EncoderLayers,
            DecoderLayers = parsed.GetValue(_decoderLayers) ?? deformable.DecoderLayers,
            Queries = parsed.GetValue(_queries) ?? deformable.Queries,
            BoxRefine = parsed.GetValue(_boxRefine) ?? (twoStage ?? false) || deformable.BoxRefine,
            TwoStage = twoStage ?? deformable.TwoStage,
            ProposalSelection = parsed.GetValue(_proposalSelection) ?? deformable.ProposalSelection,
            FeatureLevels = parsed.GetValue(_levels) ?? deformable.FeatureLevels,
            EncoderPoints = points ?? deformable.EncoderPoints,
            DecoderPoints = parsed.GetValue(_decoderPoints) ?? points ?? deformable.DecoderPoints,
            DenseAuxiliaryHead = parsed.GetValue(_denseHead) ?? deformable.DenseAuxiliaryHead,
            Denoising = parsed.GetValue(_denoising) switch
            {
                null => deformable.Denoising,
                0 => null,
                > 0 and int groups => (deformable.Denoising ?? new DenoisingSettings()) with { Groups = groups },
                int other => throw new ArgumentException($"--denoising takes a number of groups, 0 or more, not {other}."),
            },
        };
    }
}
