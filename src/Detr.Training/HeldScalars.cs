using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training;

/// <summary>
/// Tensor arithmetic whose scalar operands outlive the native call. TorchSharp turns the implicit <c>alpha = 1</c> of
/// add/sub (and any double operand) into a temporary <see cref="Scalar"/> that the finaliser can free while libtorch
/// still reads it; over hundreds of training steps that surfaced as "Expected false to be true" in Scalar::toFloat.
/// Every tensor operation of the model, matcher, criterion and optimiser uses held scalars (these, or statics).
/// </summary>
public static class HeldScalars
{
    /// <summary>The alpha of a plain add or sub, held for the life of the process.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a − b (as a + (−1)·b, the overload that takes a held alpha).</summary>
    public static Tensor Minus(this Tensor a, Tensor b) => a.add(b, MinusOne);

    static readonly Scalar MinusOne = (-1).ToScalar();

    /// <summary>a + s for a held scalar s.</summary>
    public static Tensor Plus(this Tensor a, Scalar s) => a.add(s, One);

    /// <summary>s − a for a held scalar s.</summary>
    public static Tensor SubtractedFrom(this Tensor a, Scalar s) => a.neg().add(s, One);
}
