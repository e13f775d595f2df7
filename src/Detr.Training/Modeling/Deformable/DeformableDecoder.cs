using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// The reference's <c>DeformableTransformerDecoder</c>: its layers, each query's reference point scaled into every
/// level by the valid ratios; with box refinement (<c>bbox_embed</c> attached) each layer's box head moves the reference
/// box in inverse-sigmoid space and the next layer starts from it, detached as the reference does.
/// </summary>
public sealed class DeformableDecoder : nn.Module
{
    readonly ModuleList<DeformableDecoderLayer> layers;

    /// <summary>The decoder of <paramref name="config"/>.</summary>
    public DeformableDecoder(DeformableDetrConfig config) : base(nameof(DeformableDecoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.DecoderLayers).Select(_ => new DeformableDecoderLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>Per-layer box heads that refine the reference boxes (box refinement); null without.</summary>
    public ModuleList<BoxHead>? BoxHeads { get; private set; }

    /// <summary>Per-layer class heads, the last scoring the encoder's proposals (two-stage); null without.</summary>
    public ModuleList<Linear>? ClassHeads { get; private set; }

    /// <summary>Registers the model's heads under the decoder too, as the reference's <c>decoder.bbox_embed</c>/<c>decoder.class_embed</c>.</summary>
    public void AttachHeads(ModuleList<BoxHead>? boxHeads, ModuleList<Linear>? classHeads)
    {
        if (boxHeads is not null)
            register_module("bbox_embed", BoxHeads = boxHeads);
        if (classHeads is not null)
            register_module("class_embed", ClassHeads = classHeads);
    }

    /// <summary>
    /// Every layer's queries [L,B,Q,E] and the reference points each layer ends with [L,B,Q,2|4], from the initial
    /// <paramref name="referencePoints"/> [B,Q,2|4] (sigmoid space). <paramref name="queryPadding"/> [B,Q] marks padding
    /// queries (denoising batches of images with fewer targets).
    /// </summary>
    public (Tensor Hidden, Tensor References) Forward(Tensor target, Tensor referencePoints, Tensor memory, FeatureLevels levels,
        Tensor validRatios, Tensor queryPosition, Tensor memoryPaddingMask, Tensor? queryPadding = null)
    {
        using var scope = NewDisposeScope();
        var output = target;
        var reference = referencePoints;
        var hidden = new List<Tensor>();
        var references = new List<Tensor>();
        for (int i = 0; i < layers.Count; i++)
        {
            var ratios = reference.shape[^1] == 4 ? cat([validRatios, validRatios], -1) : validRatios;
            var referenceInput = reference.unsqueeze(2) * ratios.unsqueeze(1);
            output = layers[i].Forward(output, queryPosition, referenceInput, memory, levels, memoryPaddingMask, queryPadding);
            if (BoxHeads is not null)
                reference = Refine(BoxHeads[i].forward(output), reference).detach();
            hidden.Add(output);
            references.Add(reference);
        }
        return (stack(hidden).MoveToOuterDisposeScope(), stack(references).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// sigmoid(delta + inverse_sigmoid(reference)): a box reference moves in all four coordinates, a point reference
    /// in its centre only (the box head's w,h are then the box's own).
    /// </summary>
    public static Tensor Refine(Tensor delta, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var logits = InverseSigmoid.Of(reference);
        Tensor moved = reference.shape[^1] == 4
            ? delta.Plus(logits)
            : cat([delta[TensorIndex.Ellipsis, TensorIndex.Slice(0, 2)].Plus(logits), delta[TensorIndex.Ellipsis, TensorIndex.Slice(2, null)]], -1);
        return moved.sigmoid().MoveToOuterDisposeScope();
    }
}
