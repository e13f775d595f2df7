using Detr.MLNet;
using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;
using Microsoft.ML;

namespace Detr.Cli.Pipeline;

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
        DetrScoringTransformer detr;
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            ml.ComponentCatalog.RegisterDetr();
            var saved = Find(ml.Model.Load(path, out _)) ?? throw new InvalidDataException($"'{path}' holds no DETR scoring transformer.");
            // This run's settings over the saved model's ONNX Runtime session.
            detr = saved.WithOptions(o =>
            {
                o.ShortestEdge = resize.Shortest ?? saved.Model.ShortestEdge;
                o.LongestEdge = resize.Longest ?? saved.Model.LongestEdge;
                o.ScoreThreshold = threshold;
                o.MaxDetections = maxDetections;
                o.MaxImagePixels = maxImagePixels;
                o.SkipUnreadableImages = onUnreadable is not null;
                o.OnUnreadableImage = onUnreadable;
            });
        }
        else
        {
            detr = ml.Transforms.ApplyDetr(new DetrScoringOptions
            {
                ModelPath = path, ScoreThreshold = threshold, MaxDetections = maxDetections, MaxImagePixels = maxImagePixels,
                ShortestEdge = resize.Shortest, LongestEdge = resize.Longest,
                SkipUnreadableImages = onUnreadable is not null, OnUnreadableImage = onUnreadable,
            }).Fit(ImageLoading.WithImages(ml, ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>())));
        }
        return (ImageLoading.Before(ml, detr), detr.Model.LabelNames);
    }

    static DetrScoringTransformer? Find(ITransformer model) => model switch
    {
        DetrScoringTransformer detr => detr,
        IEnumerable<ITransformer> chain => chain.Select(Find).LastOrDefault(t => t is not null),
        _ => null,
    };
}
