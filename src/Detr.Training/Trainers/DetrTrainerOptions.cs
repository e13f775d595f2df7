using Detr.MLNet.Imaging;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using Microsoft.ML;

namespace Detr.Training.Trainers;

/// <summary>Options of the DETR trainer, defaulting to the reference's training recipe.</summary>
public sealed class DetrTrainerOptions
{
    /// <summary>Input column of images (MLImage, from LoadImages).</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Ground-truth classes: vector of key with class names as key values.</summary>
    public string LabelsColumnName { get; set; } = "Labels";

    /// <summary>Ground-truth boxes: x0,y0,x1,y1 per box in pixels.</summary>
    public string BoxesColumnName { get; set; } = "Boxes";

    /// <summary>
    /// Refuse a training or validation image whose file header claims more pixels than this, before decoding it
    /// (default: Pillow's <c>MAX_IMAGE_PIXELS</c>); null lifts the limit.
    /// </summary>
    public long? MaxImagePixels { get; set; } = ImageFileGuard.DefaultMaxPixels;

    /// <summary>
    /// Leave out training and validation rows whose image cannot be read (too large, truncated, not an image) instead
    /// of failing; each is listed in <see cref="DetrTrainer.SkippedImages"/>. Off by default: a bad file is usually a
    /// broken dataset.
    /// </summary>
    public bool SkipUnreadableImages { get; set; }

    /// <summary>
    /// Architecture: a <see cref="DetrConfig"/> (DETR) or a <see cref="Modeling.Deformable.DeformableDetrConfig"/>
    /// (Deformable DETR); null takes DETR's paper configuration (R50). The class count is always set from the data.
    /// </summary>
    public IDetrArchitecture? Model { get; set; }

    /// <summary>Start from these weights: a Detr.Training checkpoint, a reference <c>.pth</c>, or a safetensors file (reference or transformers names).</summary>
    public string? StartFromCheckpoint { get; set; }

    /// <summary>
    /// Start the backbone from an ImageNet ResNet (a torchvision state dict of the configured depth, as the reference
    /// trains DETR), the rest from random weights. Not together with <see cref="StartFromCheckpoint"/>.
    /// </summary>
    public string? StartFromBackbone { get; set; }

    /// <summary>Epochs to train (the reference trains 300 on COCO).</summary>
    public int Epochs { get; set; } = 300;

    /// <summary>Divide the learning rates by 10 every this many epochs (the reference's 200).</summary>
    public int LearningRateDropEpochs { get; set; } = 200;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; set; } = 2;

    /// <summary>AdamW learning rate of the transformer and heads.</summary>
    public double LearningRate { get; set; } = 1e-4;

    /// <summary>Learning rate of the backbone; 0 freezes it entirely.</summary>
    public double BackboneLearningRate { get; set; } = 1e-5;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Maximum gradient norm (clipping); 0 turns clipping off.</summary>
    public double GradientClipNorm { get; set; } = 0.1;

    /// <summary>Add the losses of every decoder layer (auxiliary decoding losses).</summary>
    public bool AuxiliaryLoss { get; set; } = true;

    /// <summary>Relative weight of the no-object class.</summary>
    public double EosCoefficient { get; set; } = 0.1;

    /// <summary>Matching cost weight of the class term; null takes the architecture's reference value (DETR 1, Deformable DETR 2).</summary>
    public double? ClassCost { get; set; }

    /// <summary>Matching cost weight of the L1 box distance.</summary>
    public double BoxCost { get; set; } = 5;

    /// <summary>Matching cost weight of the generalised IoU.</summary>
    public double GiouCost { get; set; } = 2;

    /// <summary>Loss weight of the classification term; null takes the architecture's reference value (DETR 1, Deformable DETR's focal loss 2).</summary>
    public double? ClassLossWeight { get; set; }

    /// <summary>Loss weight of the L1 box term.</summary>
    public double BoxLossWeight { get; set; } = 5;

    /// <summary>Loss weight of the GIoU term.</summary>
    public double GiouLossWeight { get; set; } = 2;

    /// <summary>
    /// Keep an exponential moving average of the weights (<see cref="WeightAverage"/>) with this decay, and validate and
    /// export the average instead of the last step's weights; null trains without one (the reference).
    /// </summary>
    public double? WeightAverageDecay { get; set; }

    /// <summary>Time constant, in steps, of the average's warm-up from no averaging to <see cref="WeightAverageDecay"/>.</summary>
    public double WeightAverageWarmupSteps { get; set; } = 200;

    /// <summary>Seed for initialisation, shuffling, augmentation and dropout (libtorch's generator is process-wide: runs repeat exactly when nothing else draws from it meanwhile).</summary>
    public int Seed { get; set; } = 42;

    /// <summary>"cpu" (default) or "cuda" / "cuda:N" where a CUDA build of libtorch is installed.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Augmentation sizes; the default is the reference's COCO recipe (use <c>ScaledTo</c> for small images).</summary>
    public DetrAugmentationOptions Augmentation { get; set; } = new();

    /// <summary>Where checkpoints go (one per epoch, written atomically); null keeps none.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one.</summary>
    public bool Resume { get; set; }

    /// <summary>Held-out data evaluated every <see cref="ValidateEveryEpochs"/> epochs.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>
    /// Training images (at evaluation size, without augmentation) over which a backbone's trained batch norms get
    /// their running statistics anew when training ends (<see cref="Modeling.BatchNormRecalibration"/>; not before each
    /// validation, where it would cost a time-limited run about a second an epoch); 0 keeps PyTorch's running averages.
    /// Backbones with frozen norms (the reference's) are left alone.
    /// </summary>
    public int BatchNormRecalibrationImages { get; set; }

    /// <summary>How often to validate, in epochs.</summary>
    public int ValidateEveryEpochs { get; set; } = 1;

    /// <summary>Stop (saving a checkpoint) once this much time has passed; null trains all epochs.</summary>
    public TimeSpan? MaxTrainingTime { get; set; }

    /// <summary>
    /// With <see cref="MaxTrainingTime"/>: divide the learning rates by 10 once this fraction of the time budget has
    /// passed (in this run), on top of the epoch schedule, which a time-limited run may never reach. Null: epochs only.
    /// </summary>
    public double? LearningRateDropAtTimeFraction { get; set; }

    /// <summary>Steps over which the learning rates rise linearly from near zero to their full value (0: none, as the reference).</summary>
    public int WarmupSteps { get; set; }

    /// <summary>Receives a report after every step and at each validation.</summary>
    public IProgress<DetrTrainingProgress>? Progress { get; set; }

    /// <summary>Cancelling saves a checkpoint and stops; <c>Fit</c> then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }
}
