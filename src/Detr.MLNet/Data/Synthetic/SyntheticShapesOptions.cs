namespace Detr.MLNet.Data.Synthetic;

/// <summary>Size and content of a generated shapes dataset.</summary>
public sealed record SyntheticShapesOptions
{
    /// <summary>Number of images.</summary>
    public int ImageCount { get; init; } = 64;

    /// <summary>Fraction of the images written to the validation split (the rest is training).</summary>
    public double ValidationFraction { get; init; } = 0.25;

    /// <summary>Image width in pixels.</summary>
    public int Width { get; init; } = 128;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; init; } = 128;

    /// <summary>Shape classes to draw, from <see cref="SyntheticShape"/> (circle, square, triangle by default).</summary>
    public IReadOnlyList<SyntheticShape> Classes { get; init; } = [SyntheticShape.Circle, SyntheticShape.Square, SyntheticShape.Triangle];

    /// <summary>Fewest objects per image.</summary>
    public int MinObjects { get; init; } = 1;

    /// <summary>Most objects per image.</summary>
    public int MaxObjects { get; init; } = 4;

    /// <summary>Smallest object side, as a fraction of the shorter image side.</summary>
    public double MinSize { get; init; } = 0.12;

    /// <summary>Largest object side, as a fraction of the shorter image side.</summary>
    public double MaxSize { get; init; } = 0.6;

    /// <summary>Random seed: the same seed writes the same bytes.</summary>
    public int Seed { get; init; } = 0;
}

/// <summary>Shapes the generator can draw.</summary>
public enum SyntheticShape
{
    /// <summary>A filled disc.</summary>
    Circle,

    /// <summary>A filled axis-aligned square.</summary>
    Square,

    /// <summary>A filled upright triangle.</summary>
    Triangle,

    /// <summary>A filled plus sign.</summary>
    Cross,
}
