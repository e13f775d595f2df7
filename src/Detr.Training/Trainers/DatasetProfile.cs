using Detr.MLNet.Data;

namespace Detr.Training.Trainers;

/// <summary>What a recipe needs to know of a dataset: its size, image sizes, objects per image and how small they are.</summary>
/// <param name="Images">Training images.</param>
/// <param name="Classes">Classes.</param>
/// <param name="MedianShortSide">Median of the images' shorter side, in pixels.</param>
/// <param name="MaxObjectsPerImage">Most boxes in one image.</param>
/// <param name="SmallFraction">Fraction of boxes under COCO's small-object area (32² pixels).</param>
public sealed record DatasetProfile(int Images, int Classes, int MedianShortSide, int MaxObjectsPerImage, double SmallFraction)
{
    /// <summary>The profile of <paramref name="dataset"/>.</summary>
    public static DatasetProfile Of(DetectionDataset dataset)
    {
        var images = dataset.Images;
        if (images.Count == 0)
            throw new ArgumentException("The dataset has no images.", nameof(dataset));
        var shortSides = images.Select(i => Math.Min(i.Width, i.Height)).Order().ToArray();
        var boxes = images.SelectMany(i => i.Boxes).ToArray();
        double small = boxes.Length == 0 ? 0 : boxes.Count(b => (b.X1 - b.X0) * (b.Y1 - b.Y0) < 32 * 32) / (double)boxes.Length;
        return new DatasetProfile(images.Count, dataset.Categories.Count, shortSides[shortSides.Length / 2],
            images.Max(i => i.Boxes.Count), small);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Images} images, {Classes} classes, median short side {MedianShortSide} px, up to {MaxObjectsPerImage} objects per image, {SmallFraction:P0} small";
}
