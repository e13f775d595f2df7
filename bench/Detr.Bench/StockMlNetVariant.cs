using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;

namespace Detr.Bench;

/// <summary>
/// (b) What ML.NET offers out of the box: LoadImages → ResizeImages (stock resizer, stretched to 1066×800) →
/// ExtractPixels (planar floats with one global offset/scale, the closest ML.NET gets to per-channel ImageNet
/// normalisation) → a constant all-ones pixel mask from a CustomMapping → ApplyOnnxModel (fixed shapes declared through
/// the shape dictionary) → DETR post-processing written by hand over the logits and pred_boxes columns.
/// </summary>
sealed class StockMlNetVariant : IScoringVariant
{
    public const int Height = 800;
    public const int Width = 1066;
    // One mean and std for all channels: the ImageNet means/stds averaged (0.449, 0.226), in 0-255 units.
    // ExtractPixels computes (value - offset) * scale.
    const float Offset = 0.449f * 255f;
    const float Scale = 1f / (0.226f * 255f);

    readonly MLContext _ml = new(seed: 0);
    readonly ITransformer _model;
    readonly int _originalWidth;
    readonly int _originalHeight;

    public StockMlNetVariant(string modelPath, int threads, string samplePath, int originalWidth, int originalHeight)
    {
        _originalWidth = originalWidth;
        _originalHeight = originalHeight;
        var onnx = new OnnxOptions
        {
            ModelFile = modelPath,
            InputColumns = ["pixel_values", "pixel_mask"],
            OutputColumns = ["logits", "pred_boxes"],
            // ApplyOnnxModel needs fixed input shapes; the model's H and W are dynamic.
            ShapeDictionary = new Dictionary<string, int[]>
            {
                ["pixel_values"] = [1, 3, Height, Width],
                ["pixel_mask"] = [1, Height, Width],
            },
            GpuDeviceId = null,
            FallbackToCpu = true,
            IntraOpNumThreads = threads,
        };
        _model = _ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(_ml.Transforms.ResizeImages("Resized", Width, Height, "Image", ImageResizingEstimator.ResizingKind.Fill))
            .Append(_ml.Transforms.ExtractPixels("pixel_values", "Resized", interleavePixelColors: false,
                offsetImage: Offset, scaleImage: Scale))
            .Append(_ml.Transforms.CustomMapping<ImageRows, MaskColumn>(MaskColumn.Fill, contractName: null))
            .Append(_ml.Transforms.ApplyOnnxModel(onnx))
            .Fit(ImageRows.Of(_ml, [samplePath]));
    }

    public string Name => "stock";

    public string Description => "LoadImages → ResizeImages → ExtractPixels → mask → ApplyOnnxModel, hand post-processing";

    public long Score(IReadOnlyList<string> paths)
    {
        var scored = _model.Transform(ImageRows.Of(_ml, paths));
        var columns = new[] { scored.Schema["logits"], scored.Schema["pred_boxes"] };
        using var cursor = scored.GetRowCursor(columns);
        var logitsGetter = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var boxesGetter = cursor.GetGetter<VBuffer<float>>(columns[1]);
        VBuffer<float> logits = default, boxes = default;
        var detections = new List<(int Label, float Score, float X0, float Y0, float X1, float Y1)>();
        long kept = 0;
        while (cursor.MoveNext())
        {
            logitsGetter(ref logits);
            boxesGetter(ref boxes);
            detections.Clear();
            PostProcess(logits.GetValues(), boxes.GetValues(), _originalWidth, _originalHeight, 0.5f, detections);
            kept += detections.Count;
        }
        return kept;
    }

    // Hand-written DETR post-processing: softmax over classes + no-object, best real class, threshold, cx,cy,w,h → corners.
    static void PostProcess(ReadOnlySpan<float> logits, ReadOnlySpan<float> boxes, int width, int height, float threshold,
        List<(int, float, float, float, float, float)> into)
    {
        int queries = boxes.Length / 4;
        int classes = logits.Length / queries;
        for (int q = 0; q < queries; q++)
        {
            var row = logits.Slice(q * classes, classes);
            float max = float.NegativeInfinity;
            foreach (float v in row)
                max = Math.Max(max, v);
            float sum = 0;
            foreach (float v in row)
                sum += MathF.Exp(v - max);
            int best = 0;
            for (int c = 1; c < classes - 1; c++)
                if (row[c] > row[best])
                    best = c;
            float score = MathF.Exp(row[best] - max) / sum;
            if (score <= threshold)
                continue;
            float cx = boxes[q * 4], cy = boxes[q * 4 + 1], w = boxes[q * 4 + 2], h = boxes[q * 4 + 3];
            into.Add((best, score, (cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height));
        }
        into.Sort((a, b) => b.Item2.CompareTo(a.Item2));
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();

    /// <summary>The pixel_mask column: all ones (no padding), as ML.NET has no transform that makes a constant tensor.</summary>
    sealed class MaskColumn
    {
        static readonly long[] Ones = Enumerable.Repeat(1L, Height * Width).ToArray();

        [ColumnName("pixel_mask")]
        [VectorType(Height * Width)]
        public long[] PixelMask { get; set; } = [];

        // ML.NET copies the array into the row's buffer, so every row can point at the same ones.
        public static void Fill(ImageRows input, MaskColumn output) => output.PixelMask = Ones;
    }
}
