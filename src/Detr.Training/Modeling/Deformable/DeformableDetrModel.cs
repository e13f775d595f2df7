using Detr.Training.Modeling.Deformable.Denoising;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// Deformable DETR (Zhu et al. 2021) in TorchSharp, module for module as fundamentalvision/Deformable-DETR so its
/// checkpoints load by key: <c>backbone.0.body.*</c>, <c>input_proj.N</c>, <c>query_embed</c>, <c>transformer.*</c>,
/// <c>class_embed.N</c>, <c>bbox_embed.N</c>. Without box refinement every decoder layer shares one class and one box
/// head, listed once per layer as the reference's state dict does; with it each layer has its own, registered under
/// <c>transformer.decoder</c> too.
/// </summary>
public sealed class DeformableDetrModel : DetectionTransformer
{
    readonly DeformableBackbone backbone;
    readonly ModuleList<Sequential> input_proj;
    readonly Embedding? query_embed;
    readonly DeformableTransformer transformer;
    readonly ModuleList<Linear> class_embed;
    readonly ModuleList<BoxHead> bbox_embed;
    readonly DenoisingQueries? denoising;
    readonly DenseAuxiliaryHead? dense_head;

    /// <summary>A model of <paramref name="config"/>, initialised as the reference.</summary>
    public DeformableDetrModel(DeformableDetrConfig config) : base(nameof(DeformableDetrModel))
    {
        config.Validate();
        Config = config;
        int d = config.HiddenDim;
        backbone = new DeformableBackbone(config.ResNet, d);
        var projections = new List<Sequential>();
        int[] channels = [config.ResNet.StageChannels(1), config.ResNet.StageChannels(2), config.ResNet.StageChannels(3)];
        for (int l = 0; l < config.FeatureLevels; l++)
        {
            // C3..C5 by 1×1 convolutions; further levels by stride-2 3×3 ones, the first on C5, the rest on the previous level.
            var conv = l < channels.Length ? nn.Conv2d(channels[l], d, 1)
                : nn.Conv2d(l == channels.Length ? channels[^1] : d, d, 3, stride: 2, padding: 1);
            nn.init.xavier_uniform_(conv.weight!);
            nn.init.zeros_(conv.bias!);
            var norm = nn.GroupNorm(32, d);
            // TorchSharp's GroupNorm leaves its affine uninitialised; PyTorch starts it at the identity.
            nn.init.ones_(norm.weight!);
            nn.init.zeros_(norm.bias!);
            projections.Add(nn.Sequential(("0", conv), ("1", norm)));
        }
        input_proj = nn.ModuleList(projections.ToArray());
        if (!config.TwoStage)
            query_embed = nn.Embedding(config.Queries, 2 * d);
        transformer = new DeformableTransformer(config);

        var classHead = nn.Linear(d, config.NumClasses);
        var boxHead = new BoxHead(d);
        using (no_grad())
        {
            using var prior = (-Math.Log((1 - 0.01) / 0.01)).ToScalar(); // class prior π = 0.01
            classHead.bias!.fill_(prior);
            boxHead.LastLayer.weight!.zero_();
            boxHead.LastLayer.bias!.zero_();
        }
        int predictions = config.DecoderLayers + (config.TwoStage ? 1 : 0);
        if (config.BoxRefine)
        {
            class_embed = nn.ModuleList(Enumerable.Range(0, predictions).Select(_ => CopyOf(classHead, () => nn.Linear(d, config.NumClasses))).ToArray());
            bbox_embed = nn.ModuleList(Enumerable.Range(0, predictions).Select(_ => CopyOf(boxHead, () => new BoxHead(d))).ToArray());
            using (no_grad())
                bbox_embed[0].LastLayer.bias![TensorIndex.Slice(2, null)].fill_(-2.0);
        }
        else
        {
            using (no_grad())
                boxHead.LastLayer.bias![TensorIndex.Slice(2, null)].fill_(-2.0);
            class_embed = nn.ModuleList(Enumerable.Repeat(classHead, predictions).ToArray());
            bbox_embed = nn.ModuleList(Enumerable.Repeat(boxHead, predictions).ToArray());
        }
        if (config.TwoStage)
            using (no_grad())
                foreach (var head in bbox_embed)
                    head.LastLayer.bias![TensorIndex.Slice(2, null)].fill_(0.0);
        transformer.Decoder.AttachHeads(config.BoxRefine ? bbox_embed : null, config.TwoStage ? class_embed : null);
        if (config.Denoising is not null)
            denoising = new DenoisingQueries(d, config.NumClasses);
        if (config.DenseAuxiliaryHead)
            dense_head = new DenseAuxiliaryHead(d, config.NumClasses);
        RegisterComponents();
    }

    static T CopyOf<T>(T source, Func<T> create) where T : nn.Module
    {
        var copy = create();
        using var _ = no_grad();
        var from = source.state_dict();
        foreach (var (name, tensor) in copy.state_dict())
            tensor.copy_(from[name]);
        return copy;
    }

    /// <summary>The architecture.</summary>
    public DeformableDetrConfig Config { get; }

    /// <inheritdoc />
    public override IDetrArchitecture Architecture => Config;

    /// <inheritdoc />
    public override Backbone Backbone => backbone.Trunk;

    /// <inheritdoc />
    public override bool IsSlowParameter(string name) =>
        name.Contains("sampling_offsets", StringComparison.Ordinal) || name.Contains("reference_points", StringComparison.Ordinal);

    /// <inheritdoc />
    public override DetrOutputs forward(Tensor images, Tensor paddingMask) => Forward(images, paddingMask, null);

    /// <inheritdoc />
    public override DetrOutputs ForwardTraining(Tensor images, Tensor paddingMask, IReadOnlyList<DetrTarget> targets) =>
        Forward(images, paddingMask, denoising is null || !training ? null : targets);

    DetrOutputs Forward(Tensor images, Tensor paddingMask, IReadOnlyList<DetrTarget>? denoisingTargets)
    {
        using var scope = NewDisposeScope();
        var levels = backbone.Forward(images, paddingMask);
        var sources = new List<Tensor>();
        var masks = new List<Tensor>();
        var positions = new List<Tensor>();
        for (int l = 0; l < Config.FeatureLevels; l++)
        {
            Tensor source, mask;
            if (l < levels.Length)
                (source, mask) = (input_proj[l].forward(levels[l].Features), levels[l].Mask);
            else
            {
                source = input_proj[l].forward(l == levels.Length ? levels[^1].Features : sources[^1]);
                mask = Backbone.ResizeMask(paddingMask, source);
            }
            sources.Add(source);
            masks.Add(mask);
            positions.Add(backbone.Position(mask, source.dtype));
        }
        var noised = denoisingTargets is null ? null : denoising!.Build(denoisingTargets, Config.Denoising!, images.device);
        var output = transformer.Forward(sources, masks, positions, query_embed?.weight, noised, training ? dense_head : null);

        var logits = new List<Tensor>();
        var boxes = new List<Tensor>();
        for (int i = 0; i < Config.DecoderLayers; i++)
        {
            var reference = i == 0 ? output.InitialReference : output.References[i - 1];
            var hidden = output.Hidden[i];
            logits.Add(class_embed[i].forward(hidden));
            boxes.Add(DeformableDecoder.Refine(bbox_embed[i].forward(hidden), reference));
        }
        int last = Config.DecoderLayers - 1;
        var auxiliary = Enumerable.Range(0, last).Select(i => (logits[i].MoveToOuterDisposeScope(), boxes[i].MoveToOuterDisposeScope())).ToList();
        (Tensor, Tensor)? encoder = output.EncoderLogits is null ? null
            : (output.EncoderLogits.MoveToOuterDisposeScope(), output.EncoderBoxes!.MoveToOuterDisposeScope());
        var denoised = noised is null ? null : Reconstructions(noised, output.Denoising!.Value);
        return new DetrOutputs(logits[last].MoveToOuterDisposeScope(), boxes[last].MoveToOuterDisposeScope(), auxiliary, encoder, denoised, output.Dense?.MoveToOuterDisposeScope());
    }

    // Every layer's class and box predictions for the real denoising queries (the same heads as the matching queries').
    DenoisingOutputs Reconstructions(DenoisingBatch noised, (Tensor Hidden, Tensor References) decoded)
    {
        var layers = new List<(Tensor, Tensor)>();
        for (int i = 0; i < Config.DecoderLayers; i++)
        {
            var reference = i == 0 ? noised.Reference : decoded.References[i - 1];
            var hidden = decoded.Hidden[i];
            var logits = class_embed[i].forward(hidden).flatten(0, 1).index_select(0, noised.RealQueries);
            var boxes = DeformableDecoder.Refine(bbox_embed[i].forward(hidden), reference).flatten(0, 1).index_select(0, noised.RealQueries);
            layers.Add((logits.MoveToOuterDisposeScope(), boxes.MoveToOuterDisposeScope()));
        }
        return new DenoisingOutputs(layers, noised.Labels.MoveToOuterDisposeScope(), noised.Boxes.MoveToOuterDisposeScope());
    }
}
