namespace Detr.Training.Modeling.Deformable.Denoising;

/// <summary>
/// Denoising training (DN-DETR, Li et al. 2022; DINO's form for sigmoid heads): each image's ground-truth boxes and
/// labels, noised, are fed as extra decoder queries that learn to reconstruct them. The queries exist in training only;
/// the model's inference path, its export and its scoring are the same with or without them.
/// Defaults as DN-DETR: 5 groups, box noise 0.4, 20 % of labels flipped.
/// </summary>
public sealed record DenoisingSettings
{
    /// <summary>Noised copies of each image's targets per step.</summary>
    public int Groups { get; init; } = 5;

    /// <summary>
    /// Box noise λ: the centre moves by up to λ/2 of the box's width and height, and the size changes by up to ±λ of
    /// itself (DN-DETR's <c>box_noise_scale</c>).
    /// </summary>
    public double BoxNoiseScale { get; init; } = 0.4;

    /// <summary>Fraction of the labels replaced by a random class (DN-DETR's <c>label_noise_scale</c>).</summary>
    public double LabelNoiseRatio { get; init; } = 0.2;

    /// <summary>Checks the numbers.</summary>
    public void Validate()
    {
        if (Groups < 1)
            throw new ArgumentException($"Denoising groups is {Groups}; use 1 or more (or no denoising at all).");
        if (BoxNoiseScale is < 0 or > 2 || double.IsNaN(BoxNoiseScale))
            throw new ArgumentException($"Denoising box noise scale {BoxNoiseScale} is outside [0, 2].");
        if (LabelNoiseRatio is < 0 or > 1 || double.IsNaN(LabelNoiseRatio))
            throw new ArgumentException($"Denoising label noise ratio {LabelNoiseRatio} is outside [0, 1].");
    }
}
