using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// Batch norm that learns: batch statistics (momentum 0.1) and a trained affine in training mode, running statistics in
/// eval mode. Its state has the same four entries as <see cref="FrozenBatchNorm2d"/> (weight, bias, running_mean,
/// running_var), so a backbone trained from scratch with it loads, scores and exports as a frozen one.
/// </summary>
public sealed class BatchNorm2dTrained : nn.Module<Tensor, Tensor>
{
    /// <summary>A norm over <paramref name="channels"/>, starting as the identity.</summary>
    public BatchNorm2dTrained(long channels) : base(nameof(BatchNorm2dTrained))
    {
        // Looked up by name in forward, as the buffers: moving the module to another device replaces them.
        register_parameter("weight", new TorchSharp.Modules.Parameter(ones(channels)));
        register_parameter("bias", new TorchSharp.Modules.Parameter(zeros(channels)));
        register_buffer("running_mean", zeros(channels));
        register_buffer("running_var", ones(channels));
    }

    /// <summary>
    /// Weight of a training batch's statistics in the running ones (0.1, PyTorch's default); 1/(k+1) in the k-th of a
    /// series of batches makes the running statistics those batches' plain average (see <see cref="BatchNormRecalibration"/>).
    /// </summary>
    public double Momentum { get; set; } = DefaultMomentum;

    /// <summary>PyTorch's default <see cref="Momentum"/>.</summary>
    public const double DefaultMomentum = 0.1;

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.batch_norm(x, get_buffer("running_mean")!, get_buffer("running_var")!,
        get_parameter("weight")!, get_parameter("bias")!, training, momentum: Momentum, eps: 1e-5);
}

/// <summary>Which norm the ResNet trunk uses.</summary>
public enum BackboneNorms
{
    /// <summary>Fixed statistics and affine, as the reference (for pretrained backbones).</summary>
    Frozen,

    /// <summary>Trained batch norm (for a backbone trained from random weights); eval mode matches a frozen norm with the learnt values.</summary>
    Batch,
}

static class BackboneNorm
{
    /// <summary>The norm module of <paramref name="kind"/> over <paramref name="channels"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(BackboneNorms kind, long channels) =>
        kind == BackboneNorms.Batch ? new BatchNorm2dTrained(channels) : new FrozenBatchNorm2d(channels);
}
