using Detr.MLNet;
using Detr.Training.Modeling;
using Detr.Training.Trainers;
using Microsoft.ML;

namespace Detr.Training.Tests.Trainers;

public class DetrTrainerTests
{
    public static IEnumerable<object[]> Architectures() =>
    [
        ["detr"],
        ["deformable"],
        ["deformable-refine"],
        ["deformable-two-stage"],
        ["deformable-denoising"],
        ["deformable-dense"],
    ];

    static IDetrArchitecture Architecture(string name) => name switch
    {
        "detr" => TinyTraining.Model,
        "deformable" => TinyTraining.DeformableModel,
        "deformable-refine" => TinyTraining.DeformableModel with { BoxRefine = true },
        "deformable-two-stage" => TinyTraining.DeformableModel with { BoxRefine = true, TwoStage = true },
        "deformable-denoising" => TinyTraining.DeformableModel with { BoxRefine = true, Denoising = new() { Groups = 3 } },
        "deformable-dense" => TinyTraining.DeformableModel with { BoxRefine = true, TwoStage = true, DenseAuxiliaryHead = true },
        _ => throw new ArgumentException(name),
    };

    /// <summary>Every training path must learn: the losses fall and the exported scorer finds the training boxes.</summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void OverfitsAHandfulOfImages(string architecture)
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(folder.Path, images: 4);
        var options = new DetrTrainerOptions
        {
            Model = Architecture(architecture), Epochs = 150, BatchSize = 2, LearningRate = 1e-3, BackboneLearningRate = 1e-3,
            LearningRateDropEpochs = 120, GradientClipNorm = 1.0, Augmentation = TinyTraining.Fixed(64), Seed = 3,
        };
        var trainer = ml.Detection().Trainers.Detr(options);
        var model = trainer.Fit(data);
        var history = trainer.LastRun!.History;
        double firstGiou = history.Take(4).Average(h => h.Terms["loss_giou"]);
        double lastGiou = history.TakeLast(4).Average(h => h.Terms["loss_giou"]);
        Assert.True(lastGiou < 0.35 * firstGiou, $"{architecture}: GIoU loss went from {firstGiou:0.000} to {lastGiou:0.000}");
        Assert.True(history.TakeLast(4).Average(h => h.Terms["class_error"]) < 10, "matched queries should be classified right");
        if (history[0].Terms.ContainsKey("loss_giou_dense"))
        {
            double firstDense = history.Take(4).Average(h => h.Terms["loss_giou_dense"]);
            double lastDense = history.TakeLast(4).Average(h => h.Terms["loss_giou_dense"]);
            Assert.True(lastDense < 0.5 * firstDense, $"{architecture}: dense head GIoU loss went from {firstDense:0.000} to {lastDense:0.000}");
        }
        if (history[0].Terms.ContainsKey("loss_giou_dn"))
        {
            double firstDenoising = history.Take(4).Average(h => h.Terms["loss_giou_dn"]);
            double lastDenoising = history.TakeLast(4).Average(h => h.Terms["loss_giou_dn"]);
            Assert.True(lastDenoising < 0.5 * firstDenoising, $"{architecture}: denoising GIoU loss went from {firstDenoising:0.000} to {lastDenoising:0.000}");
        }

        // The returned transformer is the ONNX scorer: on the training images it finds the boxes with the right classes.
        var scored = model.Transform(data);
        var truth = ml.Data.CreateEnumerable<Truth>(data, reuseRowObject: false).ToArray();
        var predicted = ml.Data.CreateEnumerable<Predicted>(scored, reuseRowObject: false).ToArray();
        int found = 0, total = 0;
        for (int r = 0; r < truth.Length; r++)
            for (int b = 0; b < truth[r].Labels.Length; b++)
            {
                total++;
                for (int p = 0; p < predicted[r].Score.Length; p++)
                    if (predicted[r].PredictedLabel[p] == truth[r].Labels[b] && Iou(truth[r].Boxes, b, predicted[r].PredictedBoundingBoxes, p) > 0.5)
                    {
                        found++;
                        break;
                    }
            }
        Assert.True(found >= total - 1, $"{architecture}: found {found} of {total} training boxes at IoU > 0.5 with the right class");
    }

    static double Iou(float[] a, int i, float[] b, int j)
    {
        double ix = Math.Max(0, Math.Min(a[i * 4 + 2], b[j * 4 + 2]) - Math.Max(a[i * 4], b[j * 4]));
        double iy = Math.Max(0, Math.Min(a[i * 4 + 3], b[j * 4 + 3]) - Math.Max(a[i * 4 + 1], b[j * 4 + 1]));
        double inter = ix * iy;
        double areaA = (a[i * 4 + 2] - a[i * 4]) * (a[i * 4 + 3] - a[i * 4 + 1]);
        double areaB = (b[j * 4 + 2] - b[j * 4]) * (b[j * 4 + 3] - b[j * 4 + 1]);
        return inter / (areaA + areaB - inter);
    }

    sealed class Truth
    {
        public uint[] Labels { get; set; } = [];
        public float[] Boxes { get; set; } = [];
    }

    sealed class Predicted
    {
        public uint[] PredictedLabel { get; set; } = [];
        public float[] Score { get; set; } = [];
        public float[] PredictedBoundingBoxes { get; set; } = [];
    }
}
