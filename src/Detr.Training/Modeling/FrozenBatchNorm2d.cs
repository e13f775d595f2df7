using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// Batch norm with fixed statistics and affine parameters (buffers, never trained), as the reference freezes the
/// backbone's norms: y = x·scale + shift with scale = γ·rsqrt(σ² + 1e-5), shift = β − μ·scale.
/// </summary>
public sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
{
    // Held for the process (see HeldScalars).
    static readonly Scalar Epsilon = 1e-5.ToScalar();
    /// <summary>An identity norm over <paramref name="channels"/> until weights are loaded.</summary>
    public FrozenBatchNorm2d(long channels) : base(nameof(FrozenBatchNorm2d))
    {
        register_buffer("weight", ones(channels));
        register_buffer("bias", zeros(channels));
        register_buffer("running_mean", zeros(channels));
        register_buffer("running_var", ones(channels));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Buffers are looked up each time: moving the module to another device replaces them.
        var scale = Buffer("weight") * Buffer("running_var").Plus(Epsilon).rsqrt();
        var shift = Buffer("bias").Minus(Buffer("running_mean") * scale);
        return (x * scale).Plus(shift).MoveToOuterDisposeScope();
    }

    Tensor Buffer(string name) => get_buffer(name)!.reshape(1, -1, 1, 1);
}
