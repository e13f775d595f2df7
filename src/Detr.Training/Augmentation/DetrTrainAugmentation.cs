namespace Detr.Training.Augmentation;

/// <summary>The reference's training augmentation (flip, then multi-scale resize or resize-crop-resize) with a seeded random source.</summary>
public sealed class DetrTrainAugmentation(DetrAugmentationOptions options, Random random)
{
    /// <summary>Applies one random draw of the recipe to <paramref name="sample"/>.</summary>
    public DetectionSample Apply(DetectionSample sample)
    {
        if (random.NextDouble() < options.FlipProbability)
            sample = GeometricTransforms.HorizontalFlip(sample);
        if (random.NextDouble() < options.CropProbability)
        {
            sample = GeometricTransforms.Resize(sample, Pick(options.PreCropScales), null);
            sample = RandomSizeCrop(sample);
        }
        return GeometricTransforms.Resize(sample, Pick(options.Scales), options.MaxSize);
    }

    /// <summary>Evaluation preprocessing: the fixed short side, no randomness.</summary>
    public DetectionSample ApplyForEvaluation(DetectionSample sample) =>
        GeometricTransforms.Resize(sample, options.EvaluationSize, options.MaxSize);

    // Reference: w ~ U[min, min(W, max)], h ~ U[min, min(H, max)], then a uniform position. Images smaller than the
    // minimum crop are cropped to their own size rather than failing as the reference would.
    DetectionSample RandomSizeCrop(DetectionSample sample)
    {
        int imageWidth = sample.Image.Width, imageHeight = sample.Image.Height;
        int width = Uniform(Math.Min(options.CropMin, imageWidth), Math.Min(imageWidth, options.CropMax));
        int height = Uniform(Math.Min(options.CropMin, imageHeight), Math.Min(imageHeight, options.CropMax));
        int top = Uniform(0, imageHeight - height), left = Uniform(0, imageWidth - width);
        return GeometricTransforms.Crop(sample, top, left, height, width);
    }

    int Pick(IReadOnlyList<int> sizes) => sizes[random.Next(sizes.Count)];

    int Uniform(int lowInclusive, int highInclusive) => random.Next(lowInclusive, highInclusive + 1);
}
