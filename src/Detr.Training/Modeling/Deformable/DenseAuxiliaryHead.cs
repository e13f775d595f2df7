using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>What the dense auxiliary head predicts for every encoder token, and the anchors it predicts them from.</summary>
/// <param name="Logits">Class logits [B,S,C] (sigmoid).</param>
/// <param name="Boxes">Boxes [B,S,4], cx,cy,w,h normalised to the unpadded image.</param>
/// <param name="Anchors">Each token's anchor [B,S,4]: its centre and a square <see cref="DenseAuxiliaryHead.AnchorSideInTokens"/> tokens of its level wide.</param>
/// <param name="Valid">Tokens on the image rather than on padding [B,S].</param>
/// <param name="Levels">Each token's feature level [S].</param>
public sealed record DenseOutputs(Tensor Logits, Tensor Boxes, Tensor Anchors, Tensor Valid, int[] Levels)
{
    /// <summary>Moves every tensor to the enclosing dispose scope (the caller's), as a forward returns its outputs.</summary>
    public DenseOutputs MoveToOuterDisposeScope() => this with
    {
        Logits = Logits.MoveToOuterDisposeScope(),
        Boxes = Boxes.MoveToOuterDisposeScope(),
        Anchors = Anchors.MoveToOuterDisposeScope(),
        Valid = Valid.MoveToOuterDisposeScope(),
    };
}

/// <summary>
/// A training-only, one-to-many head on the encoder's tokens (Co-DETR's auxiliary ATSS head, Zong et al. 2023): a
/// class logit per class and a box per token, each token starting from an anchor at its own position, trained with
/// every token ATSS assigns to an object as a positive. DETR's one-to-one matching gives each object one query per
/// layer to learn from; this head gives the encoder and the backbone several positives per object and step, which is
/// what they lack when training starts from random weights. The exported model and scoring never run it
/// (<c>dense_head.*</c> weights are ignored when loading into a model without it).
/// </summary>
public sealed class DenseAuxiliaryHead : nn.Module
{
    /// <summary>Anchor side in tokens of the anchor's level (4·stride: 32 px on the stride-8 level).</summary>
    public const double AnchorSideInTokens = 4;

    readonly Linear class_embed;
    readonly BoxHead bbox_embed;

    /// <summary>A head for <paramref name="hiddenDim"/>-wide tokens and <paramref name="numClasses"/> classes, initialised as the decoder's heads.</summary>
    public DenseAuxiliaryHead(int hiddenDim, int numClasses) : base(nameof(DenseAuxiliaryHead))
    {
        class_embed = nn.Linear(hiddenDim, numClasses);
        bbox_embed = new BoxHead(hiddenDim);
        using (no_grad())
        {
            using var prior = (-Math.Log((1 - 0.01) / 0.01)).ToScalar(); // class prior π = 0.01, as the decoder's heads
            class_embed.bias!.fill_(prior);
            bbox_embed.LastLayer.weight!.zero_();
            bbox_embed.LastLayer.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <summary>Predictions for encoder tokens <paramref name="memory"/> [B,S,E] with their padding mask [B,S].</summary>
    public DenseOutputs Forward(Tensor memory, Tensor paddingMask, FeatureLevels levels)
    {
        using var scope = NewDisposeScope();
        var (centres, validSizes) = TokenGrid.Of(paddingMask, levels);
        using var side = AnchorSideInTokens.ToScalar();
        var anchors = cat([centres, validSizes.reciprocal() * side], -1);
        var logits = class_embed.forward(memory);
        var boxes = (bbox_embed.forward(memory) + InverseSigmoid.Of(anchors)).sigmoid();
        var tokenLevels = Enumerable.Range(0, levels.Count).SelectMany(l => Enumerable.Repeat(l, (int)levels.TokenCounts[l])).ToArray();
        return new DenseOutputs(logits, boxes, anchors, paddingMask.logical_not(), tokenLevels).MoveToOuterDisposeScope();
    }
}
