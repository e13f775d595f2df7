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
        sample = GeometricTransforms.Resize(sample, Pick(options.Scales), options.MaxSize);
        if (options.ScaleJitterMin != 1 || options.ScaleJitterMax != 1)
            sample = ScaleJitter(sample);
        if (options.ColorJitter > 0)
            sample = sample with { Image = PhotometricTransforms.AdjustColors(sample.Image, ColorFactor(), ColorFactor(), ColorFactor()) };
        return sample;
    }

    /// <summary>
    /// Applies one random draw of the recipe to <paramref name="pool"/>[<paramref name="index"/>]; with the options'
    /// <see cref="DetrAugmentationOptions.MosaicProbability"/>, a <see cref="Mosaic"/> of it (each tile augmented on
    /// its own) and three other images drawn from <paramref name="pool"/>.
    /// </summary>
    public DetectionSample Apply(IReadOnlyList<DetectionSample> pool, int index)
    {
        if (options.MosaicProbability <= 0 || random.NextDouble() >= options.MosaicProbability)
            return Apply(pool[index]);
        var tiles = new DetectionSample[4];
        tiles[0] = Apply(pool[index]);
        for (int k = 1; k < 4; k++)
            tiles[k] = Apply(pool[random.Next(pool.Count)]);
        // The canvas is the first tile's size; the split falls in its middle half so no quadrant is a sliver.
        int width = tiles[0].Image.Width, height = tiles[0].Image.Height;
        int splitX = Uniform(width / 4, width * 3 / 4), splitY = Uniform(height / 4, height * 3 / 4);
        var offsets = new (int, int)[4];
        for (int k = 0; k < 4; k++)
        {
            int quadrantWidth = k % 2 == 0 ? splitX : width - splitX, quadrantHeight = k < 2 ? splitY : height - splitY;
            offsets[k] = (Uniform(0, Math.Max(0, tiles[k].Image.Width - quadrantWidth)), Uniform(0, Math.Max(0, tiles[k].Image.Height - quadrantHeight)));
        }
        // Keep boxes with a fifth of their area inside their quadrant (YOLOv5 keeps a tenth, but also shrinks images).
        return Mosaic.Combine(width, height, splitX, splitY, tiles, offsets, minVisibleFraction: 0.2);
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

    // Scales by a factor from the jitter range; a grown image is cropped back to the size it had, at a random place.
    DetectionSample ScaleJitter(DetectionSample sample)
    {
        int width = sample.Image.Width, height = sample.Image.Height;
        double factor = options.ScaleJitterMin + (options.ScaleJitterMax - options.ScaleJitterMin) * random.NextDouble();
        sample = GeometricTransforms.Resize(sample, Math.Max(8, (int)Math.Round(Math.Min(width, height) * factor)), null);
        int cropWidth = Math.Min(width, sample.Image.Width), cropHeight = Math.Min(height, sample.Image.Height);
        if (cropWidth == sample.Image.Width && cropHeight == sample.Image.Height)
            return sample;
        return GeometricTransforms.Crop(sample, Uniform(0, sample.Image.Height - cropHeight), Uniform(0, sample.Image.Width - cropWidth), cropHeight, cropWidth);
    }

    double ColorFactor() => 1 + options.ColorJitter * (2 * random.NextDouble() - 1);

    int Pick(IReadOnlyList<int> sizes) => sizes[random.Next(sizes.Count)];

    int Uniform(int lowInclusive, int highInclusive) => random.Next(lowInclusive, highInclusive + 1);
}
