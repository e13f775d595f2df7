namespace Detr.Training.Augmentation;

/// <summary>
/// Training augmentation sizes, defaulting to the reference's COCO recipe: short side drawn from 480..800 by 32
/// (long side ≤ 1333), or with probability ½ a resize to 400/500/600, a random crop of 384..600, then the multi-scale resize.
/// </summary>
public sealed record DetrAugmentationOptions
{
    /// <summary>Short-side sizes of the multi-scale resize.</summary>
    public IReadOnlyList<int> Scales { get; init; } = Enumerable.Range(0, 11).Select(i => 480 + 32 * i).ToArray();

    /// <summary>Cap on the long side.</summary>
    public int MaxSize { get; init; } = 1333;

    /// <summary>Short-side sizes of the resize before the crop.</summary>
    public IReadOnlyList<int> PreCropScales { get; init; } = [400, 500, 600];

    /// <summary>Smallest crop side.</summary>
    public int CropMin { get; init; } = 384;

    /// <summary>Largest crop side.</summary>
    public int CropMax { get; init; } = 600;

    /// <summary>Probability of a horizontal flip.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Probability of taking the resize-crop-resize branch instead of the plain multi-scale resize.</summary>
    public double CropProbability { get; init; } = 0.5;

    /// <summary>
    /// Smallest factor of the scale jitter that follows the resize: the image is scaled by a factor drawn uniformly
    /// from [<see cref="ScaleJitterMin"/>, <see cref="ScaleJitterMax"/>], then cropped back to its size at a random
    /// place when it grew (a smaller one is padded in the batch). 1 and 1 (the reference's) leave it off. Unlike the
    /// reference's crops this keeps objects near their size on average, so small objects are not shrunk further.
    /// </summary>
    public double ScaleJitterMin { get; init; } = 1;

    /// <summary>Largest factor of the scale jitter (see <see cref="ScaleJitterMin"/>).</summary>
    public double ScaleJitterMax { get; init; } = 1;

    /// <summary>
    /// Strength of the colour jitter: brightness, contrast and saturation each scaled by a factor drawn from
    /// [1 − strength, 1 + strength] (0, the reference's, leaves colours alone).
    /// </summary>
    public double ColorJitter { get; init; }

    /// <summary>
    /// Probability that a training image becomes a <see cref="Mosaic"/> with three others of the training set, at
    /// their own scale (0, the reference's, for none).
    /// </summary>
    public double MosaicProbability { get; init; }

    /// <summary>Short side used at evaluation (the reference's 800).</summary>
    public int EvaluationSize { get; init; } = 800;

    /// <summary>
    /// The same recipe scaled for small images: every size multiplied by <paramref name="evaluationSize"/>/800
    /// (e.g. 128-pixel synthetic images), never below 8 pixels.
    /// </summary>
    public static DetrAugmentationOptions ScaledTo(int evaluationSize)
    {
        var reference = new DetrAugmentationOptions();
        double factor = evaluationSize / 800.0;
        int Scale(int size) => Math.Max(8, (int)Math.Round(size * factor));
        return reference with
        {
            Scales = reference.Scales.Select(Scale).Distinct().ToArray(),
            MaxSize = Scale(reference.MaxSize),
            PreCropScales = reference.PreCropScales.Select(Scale).Distinct().ToArray(),
            CropMin = Scale(reference.CropMin),
            CropMax = Scale(reference.CropMax),
            EvaluationSize = evaluationSize,
        };
    }

    /// <summary>
    /// Only the horizontal flip, at a fixed short side of <paramref name="size"/>: for generated data, where more
    /// images are cheaper than the scale jitter and crops that shrink small objects further.
    /// </summary>
    public static DetrAugmentationOptions FlipOnly(int size) => new DetrAugmentationOptions { CropProbability = 0 }.AtFixedSize(size);

    /// <summary>
    /// These options with every resize fixed to a short side of <paramref name="size"/> (training and evaluation);
    /// flips, jitter and mosaics stay as they are.
    /// </summary>
    public DetrAugmentationOptions AtFixedSize(int size) => this with
    {
        Scales = [size],
        MaxSize = size * 2,
        PreCropScales = [size],
        CropMin = size,
        CropMax = size,
        EvaluationSize = size,
    };
}
