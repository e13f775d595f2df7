using Detr.Training;
using Detr.Training.Boxes;
using Detr.Training.Matching;
using Detr.Training.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Losses;

/// <summary>
/// DETR's set criterion: after matching, a classification loss over every query, L1 and generalised-IoU on matched
/// boxes normalised by the number of target boxes, and the cardinality error for logging; the same for every auxiliary
/// decoder output (keys suffixed <c>_i</c>) and, in two-stage Deformable DETR, for the encoder's proposals against
/// class-agnostic targets (<c>_enc</c>). The classification loss follows the matcher's
/// <see cref="HungarianMatcher.Classification"/>: cross-entropy with the no-object class weighted by
/// <see cref="EosCoefficient"/> (DETR), or the sigmoid <see cref="FocalLoss"/> (Deformable DETR). Denoising queries,
/// when the outputs carry them, reconstruct their own target (no matching): the same three losses per decoder layer,
/// normalised by the number of denoising queries (<c>_dn</c>, <c>_dn_i</c>).
/// </summary>
public sealed class SetCriterion : IDisposable
{
    static readonly Scalar One = 1.0.ToScalar(), Hundred = 100.0.ToScalar();
    readonly Scalar _noObject;
    readonly Tensor _classWeights;

    /// <summary>
    /// A criterion for <paramref name="numClasses"/> classes (no-object is index <paramref name="numClasses"/>);
    /// <paramref name="denoising"/> weighs the denoising reconstruction terms of a model trained with denoising queries.
    /// </summary>
    public SetCriterion(int numClasses, HungarianMatcher matcher, double eosCoefficient = 0.1,
        double classLossWeight = 1, double boxLossWeight = 5, double giouLossWeight = 2, int decoderLayers = 6, bool denoising = false,
        bool proposalClasses = false, bool dense = false)
    {
        Denoising = denoising;
        Dense = dense;
        ProposalClasses = proposalClasses;
        NumClasses = numClasses;
        Matcher = matcher;
        EosCoefficient = eosCoefficient;
        _noObject = ((long)numClasses).ToScalar();
        _classWeights = ones(numClasses + 1);
        using var eos = eosCoefficient.ToScalar();
        _classWeights[numClasses].fill_(eos);
        var weights = new Dictionary<string, double> { ["loss_ce"] = classLossWeight, ["loss_bbox"] = boxLossWeight, ["loss_giou"] = giouLossWeight };
        foreach (var (key, value) in weights.ToArray())
        {
            for (int i = 0; i < decoderLayers - 1; i++)
                weights[$"{key}_{i}"] = value;
            weights[$"{key}_enc"] = value; // as the reference, listed whether or not the model has encoder proposals
            if (dense)
                weights[$"{key}_dense"] = value;
            if (!denoising)
                continue;
            weights[$"{key}_dn"] = value;
            for (int i = 0; i < decoderLayers - 1; i++)
                weights[$"{key}_dn_{i}"] = value;
        }
        WeightDict = weights;
    }

    /// <summary>Number of real classes.</summary>
    public int NumClasses { get; }

    /// <summary>The matcher used for the final and every auxiliary output.</summary>
    public HungarianMatcher Matcher { get; }

    /// <summary>Relative weight of the no-object class in the classification loss.</summary>
    public double EosCoefficient { get; }

    /// <summary>Whether the dense auxiliary head's terms (<c>_dense</c>) are part of the total.</summary>
    public bool Dense { get; }

    /// <summary>Whether the denoising reconstruction terms are part of the total.</summary>
    public bool Denoising { get; }

    /// <summary>
    /// Whether the encoder's proposals learn the targets' classes (DINO, <see cref="Modeling.Deformable.ProposalSelection.BestClass"/>)
    /// rather than objectness, every target as class 0 (the reference).
    /// </summary>
    public bool ProposalClasses { get; }

    /// <summary>Weight of each loss term in the total, as the reference's <c>weight_dict</c>.</summary>
    public IReadOnlyDictionary<string, double> WeightDict { get; }

    /// <summary>Every loss term for <paramref name="outputs"/> against <paramref name="targets"/>.</summary>
    public Dictionary<string, Tensor> Forward(DetrOutputs outputs, IReadOnlyList<DetrTarget> targets)
    {
        double boxCount = Math.Max(targets.Sum(t => (double)t.Labels.shape[0]), 1);
        var losses = new Dictionary<string, Tensor>();
        AddLosses(losses, outputs.Logits, outputs.Boxes, targets, boxCount, suffix: "", logClassError: true);
        for (int i = 0; i < outputs.Auxiliary.Count; i++)
            AddLosses(losses, outputs.Auxiliary[i].Logits, outputs.Auxiliary[i].Boxes, targets, boxCount, suffix: $"_{i}", logClassError: false);
        if (outputs.Encoder is var (encoderLogits, encoderBoxes))
        {
            // The proposals learn objectness (every target counts as class 0) or, DINO's way, the classes.
            var proposalTargets = ProposalClasses ? targets : targets.Select(t => new DetrTarget(zeros_like(t.Labels), t.Boxes)).ToList();
            AddLosses(losses, encoderLogits, encoderBoxes, proposalTargets, boxCount, suffix: "_enc", logClassError: false);
        }
        if (outputs.Dense is { } dense)
        {
            if (!Dense)
                throw new InvalidOperationException("The outputs carry a dense auxiliary head's predictions but this criterion was made without it: pass dense: true.");
            (losses["loss_ce_dense"], losses["loss_bbox_dense"], losses["loss_giou_dense"]) = DenseAuxiliaryLoss.Compute(dense, targets, NumClasses);
        }
        if (outputs.Denoising is { } denoising)
        {
            // Their terms would have no weight and drop out of the total: the denoising module would never learn.
            if (!Denoising)
                throw new InvalidOperationException("The outputs carry denoising queries but this criterion was made without denoising: pass denoising: true.");
            for (int i = 0; i < denoising.Layers.Count; i++)
                AddDenoisingLosses(losses, denoising.Layers[i].Logits, denoising.Layers[i].Boxes, denoising.Labels, denoising.Boxes,
                    i == denoising.Layers.Count - 1 ? "_dn" : $"_dn_{i}");
        }
        return losses;
    }

    // Query n stands for target n: classification against its true label, L1 and GIoU against its true box.
    void AddDenoisingLosses(Dictionary<string, Tensor> losses, Tensor logits, Tensor boxes, Tensor labels, Tensor targetBoxes, string suffix)
    {
        double count = Math.Max(labels.shape[0], 1);
        losses["loss_ce" + suffix] = Matcher.Classification == ClassificationKind.Sigmoid
            ? FocalLoss.Sum(logits, nn.functional.one_hot(labels, NumClasses).to(logits.dtype), count)
            : nn.functional.cross_entropy(logits, labels);
        (losses["loss_bbox" + suffix], losses["loss_giou" + suffix]) = BoxLosses(boxes, targetBoxes, count);
    }

    // L1 and 1 − GIoU of paired boxes (cx,cy,w,h), each summed and divided by the number of target boxes.
    static (Tensor L1, Tensor Giou) BoxLosses(Tensor boxes, Tensor targetBoxes, double boxCount)
    {
        using var count = boxCount.ToScalar();
        var l1 = nn.functional.l1_loss(boxes, targetBoxes, reduction: nn.Reduction.Sum) / count;
        var giou = boxes.shape[0] > 0
            ? BoxOps.GeneralizedIou(BoxOps.CxCyWhToXyxy(boxes), BoxOps.CxCyWhToXyxy(targetBoxes)).diag()
            : zeros(0, device: boxes.device);
        return (l1, giou.SubtractedFrom(One).sum() / count);
    }

    /// <summary>Σ weight·term over the terms that have a weight (the one to back-propagate).</summary>
    public Tensor Total(IReadOnlyDictionary<string, Tensor> losses)
    {
        Tensor? total = null;
        foreach (var (key, value) in losses)
            if (WeightDict.TryGetValue(key, out double weight))
            {
                using var w = weight.ToScalar(); // explicit and held: implicit Scalar temporaries can be finalised mid-call
                total = total is null ? value * w : total.Plus(value * w);
            }
        return total ?? throw new InvalidOperationException("No weighted loss terms to sum.");
    }

    void AddLosses(Dictionary<string, Tensor> losses, Tensor logits, Tensor boxes, IReadOnlyList<DetrTarget> targets,
        double boxCount, string suffix, bool logClassError)
    {
        var matches = Matcher.Match(logits, boxes, targets);
        var device = logits.device;
        var batchIndex = tensor(matches.SelectMany((m, b) => Enumerable.Repeat((long)b, m.Queries.Length)).ToArray(), ScalarType.Int64, device);
        var queryIndex = tensor(matches.SelectMany(m => m.Queries).ToArray(), ScalarType.Int64, device);
        var matchedClasses = cat(targets.Select((t, b) => t.Labels.index_select(0, tensor(matches[b].Targets, ScalarType.Int64, device))).ToArray());
        var matchedTargetBoxes = cat(targets.Select((t, b) => t.Boxes.index_select(0, tensor(matches[b].Targets, ScalarType.Int64, device))).ToArray());

        // Classification over all queries: unmatched ones learn "no object" (softmax) or all-negative (sigmoid).
        var targetClasses = full(logits.shape[0], logits.shape[1], _noObject, ScalarType.Int64, device);
        if (queryIndex.shape[0] > 0)
            targetClasses = targetClasses.index_put_(matchedClasses, batchIndex, queryIndex);
        losses["loss_ce" + suffix] = Matcher.Classification == ClassificationKind.Sigmoid
            ? FocalLoss.Sum(logits, nn.functional.one_hot(targetClasses, NumClasses + 1)[.., .., TensorIndex.Slice(0, NumClasses)].to(logits.dtype), boxCount)
            : nn.functional.cross_entropy(logits.transpose(1, 2), targetClasses, _classWeights.to(device));
        if (logClassError)
            losses["class_error" + suffix] = ClassError(logits, batchIndex, queryIndex, matchedClasses);

        using (no_grad())
        {
            // The reference counts predictions whose best column is not the last one, for sigmoid logits too.
            using var lastColumn = (logits.shape[^1] - 1).ToScalar();
            var targetCounts = tensor(targets.Select(t => (float)t.Labels.shape[0]).ToArray(), ScalarType.Float32, device);
            var predictedCounts = logits.argmax(-1).ne(lastColumn).sum(1).to(ScalarType.Float32);
            losses["cardinality_error" + suffix] = nn.functional.l1_loss(predictedCounts, targetCounts);
        }

        (losses["loss_bbox" + suffix], losses["loss_giou" + suffix]) = BoxLosses(boxes.index(batchIndex, queryIndex), matchedTargetBoxes, boxCount);
    }

    // 100 − top-1 accuracy (in percent) on matched queries; 100 when nothing is matched, as the reference.
    static Tensor ClassError(Tensor logits, Tensor batchIndex, Tensor queryIndex, Tensor matchedClasses)
    {
        using var _ = no_grad();
        if (matchedClasses.shape[0] == 0)
            return tensor(100f, device: logits.device);
        var predicted = logits.index(batchIndex, queryIndex).argmax(-1);
        using var percentPerMatch = (100.0 / matchedClasses.shape[0]).ToScalar();
        var accuracy = (predicted == matchedClasses).to(ScalarType.Float32).sum() * percentPerMatch;
        return accuracy.SubtractedFrom(Hundred);
    }

    /// <summary>Releases the class-weight tensor.</summary>
    public void Dispose()
    {
        _classWeights.Dispose();
        _noObject.Dispose();
    }
}
