using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable.Denoising;

/// <summary>
/// Turns noised ground truth into decoder queries: content from a label embedding (<c>label_embed</c>, as DINO's
/// <c>label_enc</c>), position from the noised box's sine embedding through a two-layer MLP (<c>position</c>, as
/// DAB-DETR's <c>ref_point_head</c>), and the noised box itself as the 4-d reference box. Used in training only.
/// </summary>
public sealed class DenoisingQueries : nn.Module
{
    readonly Embedding label_embed;
    readonly Sequential position;
    readonly int _hidden;
    readonly int _numClasses;

    /// <summary>Queries of width <paramref name="hiddenDim"/> for <paramref name="numClasses"/> classes.</summary>
    public DenoisingQueries(int hiddenDim, int numClasses) : base(nameof(DenoisingQueries))
    {
        _hidden = hiddenDim;
        _numClasses = numClasses;
        label_embed = nn.Embedding(numClasses, hiddenDim);
        position = nn.Sequential(("0", nn.Linear(2 * hiddenDim, hiddenDim)), ("1", nn.ReLU()), ("2", nn.Linear(hiddenDim, hiddenDim)));
        RegisterComponents();
    }

    /// <summary>
    /// The queries for <paramref name="targets"/> (one per image), or null when no image has a target.
    /// </summary>
    public DenoisingBatch? Build(IReadOnlyList<DetrTarget> targets, DenoisingSettings settings, Device device, Generator? generator = null)
    {
        int maxTargets = targets.Count == 0 ? 0 : targets.Max(t => (int)t.Labels.shape[0]);
        if (maxTargets == 0)
            return null;
        using var scope = NewDisposeScope();
        int batch = targets.Count, groups = settings.Groups;
        var labels = zeros(batch, maxTargets, ScalarType.Int64, device);
        var boxes = full(batch, maxTargets, 4, 0.5f, device: device);
        var real = zeros(batch, maxTargets, ScalarType.Bool, device);
        for (int b = 0; b < batch; b++)
        {
            long n = targets[b].Labels.shape[0];
            if (n == 0)
                continue;
            labels[b, TensorIndex.Slice(0, n)].copy_(targets[b].Labels);
            boxes[b, TensorIndex.Slice(0, n)].copy_(targets[b].Boxes);
            real[b, TensorIndex.Slice(0, n)].fill_(true);
        }
        var groupLabels = labels.repeat_interleave(groups, 0);          // [B·G, M]
        var groupBoxes = boxes.repeat_interleave(groups, 0);            // [B·G, M, 4]
        var groupReal = real.repeat_interleave(groups, 0);              // [B·G, M]
        var noisedLabels = DenoisingNoise.Labels(groupLabels.flatten(), settings.LabelNoiseRatio, _numClasses, generator).view(groupLabels.shape);
        var noisedBoxes = DenoisingNoise.Boxes(groupBoxes.view(-1, 4), settings.BoxNoiseScale, generator).view(groupBoxes.shape);

        var content = label_embed.forward(noisedLabels);
        var queryPosition = position.forward(EncoderProposals.PositionEmbedding(InverseSigmoid.Of(noisedBoxes), _hidden / 2));
        // An image without targets has only padding; leaving its keys unmasked keeps its attention finite (no loss reads it).
        var padding = groupReal.logical_not().logical_and(groupReal.any(1, keepdim: true));
        var realQueries = groupReal.flatten().nonzero().squeeze(1);
        return new DenoisingBatch(groups, content.MoveToOuterDisposeScope(), queryPosition.MoveToOuterDisposeScope(),
            noisedBoxes.MoveToOuterDisposeScope(), padding.MoveToOuterDisposeScope(), realQueries.MoveToOuterDisposeScope(),
            groupLabels.flatten().index_select(0, realQueries).MoveToOuterDisposeScope(),
            groupBoxes.view(-1, 4).index_select(0, realQueries).MoveToOuterDisposeScope());
    }
}
