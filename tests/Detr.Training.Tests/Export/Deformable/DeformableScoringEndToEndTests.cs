using Detr.MLNet;
using Detr.MLNet.Preprocessing;
using Detr.MLNet.Scoring;
using Detr.Training.Export;
using Detr.Training.Export.Deformable;
using Detr.Training.Modeling.Deformable;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Export.Deformable;

/// <summary>
/// A Deformable DETR model exported and scored from a PNG through <c>ApplyDetr</c> gives what the TorchSharp model and
/// the reference's sigmoid PostProcess (written here in tensor operations) give on the same preprocessed pixels.
/// </summary>
public class DeformableScoringEndToEndTests
{
    const int Width = 100, Height = 75, ShortestEdge = 64, LongestEdge = 100;

    sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    sealed class Prediction
    {
        [KeyType(5)]
        public uint[] PredictedLabel { get; set; } = [];
        public float[] Score { get; set; } = [];
        public float[] PredictedBoundingBoxes { get; set; } = [];
    }

    [Fact]
    public void ApplyDetrScoresTheExportedRefineModelAsTorchSharpAndThePostProcess()
    {
        using var scope = NewDisposeScope();
        var model = DeformableFixtures.Model("refine");
        string[] labels = ["a", "b", "c", "d", "e"];
        byte[] onnx = DeformableOnnxExporter.ToBytes(model, new DetrOnnxExportOptions
        {
            LabelNames = labels, ShortestEdge = ShortestEdge, LongestEdge = LongestEdge,
        });
        using var folder = new TempFolder();
        byte[] rgb = Picture();
        string path = WritePng(folder.Path, rgb);

        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable([new ImageRow { ImagePath = path }]);
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImageRow.ImagePath))
            .Append(ml.Transforms.ApplyDetr(new DetrScoringOptions { ModelBytes = onnx, ScoreThreshold = 0f }));
        var fitted = pipeline.Fit(rows);
        var scoring = fitted.LastTransformer.Model;
        Assert.Equal(DetrPostprocessing.SigmoidTopK, scoring.Signature.Postprocessing); // from the metadata
        Assert.Equal(labels, scoring.LabelNames);
        var got = ml.Data.CreateEnumerable<Prediction>(fitted.Transform(rows), reuseRowObject: false).Single();

        var (labelIds, scores, boxes) = Expected(model, rgb);
        Assert.Equal(labelIds.Length, got.Score.Length);
        Assert.Equal(labelIds.Select(id => (uint)(id + 1)).ToArray(), got.PredictedLabel); // keys are 1-based
        for (int i = 0; i < scores.Length; i++)
            Assert.Equal(scores[i], got.Score[i], 1e-4f);
        for (int i = 0; i < boxes.Length; i++)
            Assert.Equal(boxes[i], got.PredictedBoundingBoxes[i], 1e-2f); // pixels of a 100-wide image: 1e-4 relative

        // Saved and reloaded, the transformer still decodes with the sigmoid top-k.
        string zip = Path.Combine(folder.Path, "model.zip");
        ml.Model.Save(fitted, rows.Schema, zip);
        var fresh = new MLContext(seed: 2);
        fresh.ComponentCatalog.RegisterDetr();
        var reloaded = fresh.Data.CreateEnumerable<Prediction>(fresh.Model.Load(zip, out _).Transform(rows), reuseRowObject: false).Single();
        Assert.Equal(got.PredictedLabel, reloaded.PredictedLabel);
        Assert.Equal(got.Score, reloaded.Score);
    }

    // The scorer's own preprocessing (reference resize and normalisation, no padding), the TorchSharp forward, then
    // the reference's PostProcess: sigmoid, top min(100, Q·C) over queries × classes, label = index mod C.
    static (long[] Labels, float[] Scores, float[] Boxes) Expected(DeformableDetrModel model, byte[] rgb)
    {
        var (height, width) = DetrResizePlan.ShortestEdge(Width, Height, ShortestEdge, LongestEdge);
        var resized = new byte[height * width * 3];
        PillowBilinearResize.Resize(rgb, Width, Height, resized, width, height);
        var planar = new float[3 * height * width];
        ImageNetNormalization.ImageNet.WritePlanar(resized, width, height, planar, height, width);
        using var noGrad = no_grad();
        var outputs = model.forward(tensor(planar, [1, 3, height, width]), zeros(1, height, width, ScalarType.Bool));
        var logits = outputs.Logits[0];
        long classes = logits.shape[1];
        var (scores, indices) = logits.sigmoid().flatten().topk((int)Math.Min(100, logits.numel()));
        var queries = indices.div(classes, RoundingMode.floor);
        var box = outputs.Boxes[0].index_select(0, queries);
        var (cx, cy, w, h) = (box[.., 0], box[.., 1], box[.., 2], box[.., 3]);
        var xyxy = stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], 1) * tensor(new float[] { Width, Height, Width, Height });
        return (indices.remainder(classes).data<long>().ToArray(), scores.data<float>().ToArray(), xyxy.contiguous().data<float>().ToArray());
    }

    // Gradients with a bright disc and a dark square, so the model's outputs vary across the image.
    static byte[] Picture()
    {
        var rgb = new byte[Width * Height * 3];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int i = (y * Width + x) * 3;
                bool disc = (x - 60) * (x - 60) + (y - 40) * (y - 40) < 15 * 15;
                bool square = x is > 10 and < 30 && y is > 8 and < 28;
                rgb[i] = (byte)(disc ? 230 : square ? 20 : x * 255 / Width);
                rgb[i + 1] = (byte)(disc ? 40 : square ? 200 : y * 255 / Height);
                rgb[i + 2] = (byte)(disc ? 60 : square ? 50 : (x + 3 * y) % 256);
            }
        return rgb;
    }

    static string WritePng(string folder, byte[] rgb)
    {
        var rgba = new byte[Width * Height * 4];
        for (int p = 0; p < Width * Height; p++)
        {
            rgb.AsSpan(p * 3, 3).CopyTo(rgba.AsSpan(p * 4));
            rgba[p * 4 + 3] = 255;
        }
        using var image = MLImage.CreateFromPixels(Width, Height, MLPixelFormat.Rgba32, rgba);
        string path = Path.Combine(folder, "picture.png");
        image.Save(path);
        return path;
    }
}
