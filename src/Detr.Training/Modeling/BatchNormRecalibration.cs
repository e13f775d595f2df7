using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// Precise batch norm (Wu and Johnson, "Rethinking 'Batch' in BatchNorm", 2021): replaces the running statistics of a
/// backbone's trained batch norms, an exponential average over the last few training batches taken while the weights
/// were still moving, with the plain average over batches run through the final weights. Only evaluation reads the
/// running statistics (training normalises by each batch's own), so this changes scoring and never the training.
/// </summary>
public static class BatchNormRecalibration
{
    /// <summary>
    /// Runs <paramref name="backbone"/> in training mode without gradients over <paramref name="batchCount"/> batches
    /// (images and padding masks as the model takes them, made by <paramref name="batch"/> inside a dispose scope that
    /// frees them), so that its <see cref="BatchNorm2dTrained"/> running statistics become the average of those
    /// batches' statistics; restores the momentum and mode afterwards. Returns the number of batch norms recalibrated
    /// (0 for a backbone with frozen norms, which this leaves alone).
    /// </summary>
    public static int Recalibrate(Backbone backbone, int batchCount, Func<int, (Tensor Images, Tensor Mask)> batch)
    {
        var norms = backbone.modules().OfType<BatchNorm2dTrained>().ToArray();
        if (norms.Length == 0)
            return 0;
        bool wasTraining = backbone.training;
        backbone.train();
        try
        {
            using var noGrad = no_grad();
            for (int k = 0; k < batchCount; k++)
            {
                foreach (var norm in norms)
                    norm.Momentum = 1.0 / (k + 1);
                using var scope = NewDisposeScope();
                var (images, mask) = batch(k);
                backbone.ForwardLevels(images, mask);
            }
        }
        finally
        {
            foreach (var norm in norms)
                norm.Momentum = BatchNorm2dTrained.DefaultMomentum;
            backbone.train(wasTraining);
        }
        return norms.Length;
    }
}
