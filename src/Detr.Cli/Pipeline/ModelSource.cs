using Detr.MLNet;
using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;
using Microsoft.ML;

namespace Detr.Cli.Commands;

/// <summary>Opens what <c>--model</c> names: a DETR ONNX file or an ML.NET model zip holding a DETR scoring transformer.</summary>
static class ModelSource
{
    /// <summary>
    /// A transformer that maps an ImagePath column to predictions, and the label names. Images above
    /// <paramref name="maxImagePixels"/> are refused undecoded. Without <paramref name="onUnreadable"/> the first
    /// unreadable image stops the run; with it, each scores as no detections and is reported there.
    /// </summary>
    public static (ITransformer Model, IReadOnlyList<string> Labels) Open(MLContext ml, string path, float threshold, int? maxDetections = null,
        long? maxImagePixels = ImageFileGuard.DefaultMaxPixels, Action<DetrUnreadableImage>? onUnreadable = null,
        (int? Shortest, int? Longest) resize = default)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model not found: '{path}'.");
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            ml.ComponentCatalog.RegisterDetr();
            var loaded = ml.Model.Load(path, out _);
            var detr = Find(loaded) ?? throw new InvalidDataException($"'{path}' holds no DETR scoring transformer.");
            // Re-open the same ONNX bytes with this run's threshold.
            var options = new DetrScoringOptions
            {
                ModelBytes = detr.Model.ModelBytes,
                LabelNames = detr.Model.LabelNames,
                ShortestEdge = resize.Shortest ?? detr.Model.ShortestEdge,
                LongestEdge = resize.Longest ?? detr.Model.LongestEdge,
                ScoreThreshold = threshold,
                MaxDetections = maxDetections,
                MaxImagePixels = maxImagePixels,
                SkipUnreadableImages = onUnreadable is not null,
                OnUnreadableImage = onUnreadable,
            };
            return (Pipeline(ml, options), detr.Model.LabelNames);
        }
        var onnx = new DetrScoringOptions
        {
            ModelPath = path, ScoreThreshold = threshold, MaxDetections = maxDetections, MaxImagePixels = maxImagePixels,
            ShortestEdge = resize.Shortest, LongestEdge = resize.Longest,
            SkipUnreadableImages = onUnreadable is not null, OnUnreadableImage = onUnreadable,
        };
        var model = Pipeline(ml, onnx);
        return (model, Find(model)!.Model.LabelNames);
    }

    static ITransformer Pipeline(MLContext ml, DetrScoringOptions options)
    {
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>());
        return ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(ml.Transforms.ApplyDetr(options)).Fit(empty);
    }

    static DetrScoringTransformer? Find(ITransformer model) => model switch
    {
        DetrScoringTransformer detr => detr,
        IEnumerable<ITransformer> chain => chain.Select(Find).LastOrDefault(t => t is not null),
        _ => null,
    };
}

/// <summary>The one input column the CLI feeds models.</summary>
public sealed class ImagePathRow
{
    /// <summary>Path of the image file.</summary>
    public string ImagePath { get; set; } = "";
}

/// <summary>The prediction columns as a .NET object.</summary>
public sealed class PredictionRow
{
    /// <summary>Path of the scored image.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>Class keys (1-based).</summary>
    public uint[] PredictedLabel { get; set; } = [];

    /// <summary>Scores, best first.</summary>
    public float[] Score { get; set; } = [];

    /// <summary>x0,y0,x1,y1 per detection, original pixels.</summary>
    public float[] PredictedBoundingBoxes { get; set; } = [];
}
