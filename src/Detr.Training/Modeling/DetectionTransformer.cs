using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// The shape every DETR-family model shares: padded images [B,3,H,W] and their padding mask [B,H,W] (true on padding)
/// in, <see cref="DetrOutputs"/> out, a ResNet trunk inside. The trainer, checkpoints and exporter work on this.
/// </summary>
public abstract class DetectionTransformer : nn.Module<Tensor, Tensor, DetrOutputs>
{
    /// <summary>Registers the module under <paramref name="name"/>.</summary>
    protected DetectionTransformer(string name) : base(name) { }

    /// <summary>The architecture this model was built from.</summary>
    public abstract IDetrArchitecture Architecture { get; }

    /// <summary>The ResNet (for freezing and learning-rate groups).</summary>
    public abstract Backbone Backbone { get; }

    /// <summary>
    /// Parameter names trained at a tenth of the learning rate (Deformable DETR's sampling offsets and reference
    /// points, whose updates move where the model looks); none for DETR.
    /// </summary>
    public virtual bool IsSlowParameter(string name) => false;

    /// <summary>
    /// The training forward: <see cref="nn.Module{T1,T2,TResult}.forward"/> plus whatever extra supervision the model
    /// draws from the batch's <paramref name="targets"/> (Deformable DETR's denoising queries). The inference outputs
    /// are the same as <c>forward</c>'s; a model without such extras returns <c>forward</c>'s.
    /// </summary>
    public virtual DetrOutputs ForwardTraining(Tensor images, Tensor paddingMask, IReadOnlyList<DetrTarget> targets) => forward(images, paddingMask);
}
