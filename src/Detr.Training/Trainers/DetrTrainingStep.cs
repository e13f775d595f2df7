using Detr.Training.Losses;
using Detr.Training.Matching;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Trainers;

/// <summary>
/// One optimisation step as the reference's <c>train_one_epoch</c>: forward, the set criterion (with the auxiliary
/// decoder losses when enabled), backward, gradient clipping and AdamW, the backbone in its own group at its own
/// learning rate. Construction freezes the trunk as the reference does. The trainer runs every step through this;
/// on its own it times or checks a single step on a prepared batch.
/// </summary>
public sealed class DetrTrainingStep : IDisposable
{
    readonly DetectionTransformer _model;
    readonly Parameter[] _trainable;
    readonly double _clipNorm;

    /// <summary>
    /// A step for <paramref name="model"/> with the optimiser, matcher and loss settings of <paramref name="options"/>;
    /// the model's train/eval mode is left to the caller.
    /// </summary>
    public DetrTrainingStep(DetectionTransformer model, DetrTrainerOptions options)
    {
        _model = model;
        _clipNorm = options.GradientClipNorm;
        var architecture = model.Architecture;
        // A pretrained trunk keeps its stem and first stage, as the reference; one learning from scratch trains them all.
        model.Backbone.Freeze(entireTrunk: options.BackboneLearningRate <= 0, stemAndFirstStage: architecture.ResNet.Norms == BackboneNorms.Frozen);
        // Heads shared by every decoder layer appear once per layer in the module tree: each parameter is updated once.
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).DistinctBy(p => p.parameter.Handle).ToList();
        _trainable = trainable.Select(p => p.parameter).ToArray();
        bool IsBackbone(string name) => name.StartsWith("backbone.", StringComparison.Ordinal);
        var groups = new List<DetrAdamW.Group>
        {
            new("transformer and heads", trainable.Where(p => !IsBackbone(p.name) && !model.IsSlowParameter(p.name)).ToList(), options.LearningRate, options.WeightDecay),
        };
        var backboneParameters = trainable.Where(p => IsBackbone(p.name)).ToList();
        if (backboneParameters.Count > 0)
            groups.Add(new(BackboneGroup, backboneParameters, options.BackboneLearningRate, options.WeightDecay));
        var slow = trainable.Where(p => !IsBackbone(p.name) && model.IsSlowParameter(p.name)).ToList();
        if (slow.Count > 0)
            groups.Add(new(SlowGroup, slow, options.LearningRate * SlowLearningRateFactor, options.WeightDecay));
        Optimizer = new DetrAdamW(groups);
        // The references weigh the focal class term twice as much as DETR's cross-entropy, in matching and in the loss.
        double referenceClassWeight = architecture.Classification == ClassificationKind.Sigmoid ? 2 : 1;
        var matcher = new HungarianMatcher(options.ClassCost ?? referenceClassWeight, options.BoxCost, options.GiouCost, architecture.Classification);
        Criterion = new SetCriterion(architecture.NumClasses, matcher, options.EosCoefficient, options.ClassLossWeight ?? referenceClassWeight,
            options.BoxLossWeight, options.GiouLossWeight, options.AuxiliaryLoss ? architecture.DecoderLayers : 1,
            denoising: architecture is DeformableDetrConfig { Denoising: not null },
            proposalClasses: architecture is DeformableDetrConfig { TwoStage: true, ProposalSelection: ProposalSelection.BestClass },
            dense: architecture is DeformableDetrConfig { DenseAuxiliaryHead: true });
    }

    const string BackboneGroup = "backbone", SlowGroup = "sampling offsets and reference points";

    // The slow parameters' learning rate relative to the main one (Deformable DETR's lr_linear_proj_mult).
    const double SlowLearningRateFactor = 0.1;

    /// <summary>
    /// The optimiser: group 0 the transformer and heads, then the backbone (<see cref="BackboneGroup"/>, when it trains)
    /// and the slow parameters (<see cref="SlowGroup"/>, when the model has any).
    /// </summary>
    public DetrAdamW Optimizer { get; }

    /// <summary>The set criterion whose weighted total is back-propagated.</summary>
    public SetCriterion Criterion { get; }


    /// <summary>
    /// True when the last <see cref="Run"/> computed a finite loss but non-finite gradients and so left the weights and
    /// the optimiser untouched. Seen now and then, not reproducibly, in the first steps of tiny models with trained batch
    /// norms on libtorch 2.10's CPU build (cause not yet found); the trainer skips such a step and stops only when it
    /// keeps happening.
    /// </summary>
    public bool SkippedForNonFiniteGradients { get; private set; }

    /// <summary>
    /// One step on padded <paramref name="images"/> [B,3,H,W] with their padding mask [B,H,W] (true on padding). Returns
    /// the weighted total loss and every term; a non-finite total (NaN when the outputs already are) updates nothing.
    /// </summary>
    public (double Total, IReadOnlyDictionary<string, double> Terms) Run(Tensor images, Tensor paddingMask, IReadOnlyList<DetrTarget> targets)
    {
        using var scope = NewDisposeScope();
        SkippedForNonFiniteGradients = false;
        var outputs = _model.ForwardTraining(images, paddingMask, targets);
        if (!outputs.Logits.isfinite().all().item<bool>() || !outputs.Boxes.isfinite().all().item<bool>())
            return (double.NaN, new Dictionary<string, double>());
        var losses = Criterion.Forward(outputs, targets);
        var total = Criterion.Total(losses);
        double value = total.item<float>();
        if (!double.IsFinite(value))
            return (value, new Dictionary<string, double>());
        Optimizer.ZeroGrad();
        total.backward();
        // The norm is needed even without clipping: non-finite gradients must never reach the weights.
        double norm = nn.utils.clip_grad_norm_(_trainable, _clipNorm > 0 ? _clipNorm : float.MaxValue);
        SkippedForNonFiniteGradients = !double.IsFinite(norm);
        if (!SkippedForNonFiniteGradients)
            Optimizer.Step();
        return (value, losses.ToDictionary(l => l.Key, l => (double)l.Value.item<float>()));
    }

    /// <summary>Releases the optimiser's moments and the criterion's tensors.</summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        Criterion.Dispose();
    }
}
