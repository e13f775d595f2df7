using Detr.MLNet;
using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Detr.Cli.Pipeline;

/// <summary>Opens what <c>--model</c> names: a DETR ONNX file or an ML.NET model zip holding a DETR scoring transformer.</summary>
static class ModelSource
{
    /// <summary>
    /// A transformer that maps an ImagePath column to predictions, and the label names. Images above
    /// <paramref name="maxImagePixels"/> are refused undecoded. Without <paramref name="onUnreadable"/> the first
    /// unreadable image stops the run; with it, each scores as no detections and is reported there. ONNX Runtime runs
    /// on <paramref name="device"/>; its warnings (a CUDA fallback) go to <paramref name="warn"/>.
    /// </summary>
    public static (ITransformer Model, IReadOnlyList<string> Labels) Open(MLContext ml, string path, float threshold, int? maxDetections = null,
        long? maxImagePixels = ImageFileGuard.DefaultMaxPixels, Action<DetrUnreadableImage>? onUnreadable = null,
        (int? Shortest, int? Longest) resize = default, DetrExecutionDevice device = DetrExecutionDevice.Cpu, Action<string>? warn = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model not found: '{path}'.");
        void RunSettings(DetrScoringOptions o)
        {
            o.ScoreThreshold = threshold;
            o.MaxDetections = maxDetections;
            o.MaxImagePixels = maxImagePixels;
            o.SkipUnreadableImages = onUnreadable is not null;
            o.OnUnreadableImage = onUnreadable;
        }
        DetrScoringTransformer detr;
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            ml.ComponentCatalog.RegisterDetr();
            var saved = Find(ml.Model.Load(path, out _)) ?? throw new InvalidDataException($"'{path}' holds no DETR scoring transformer.");
            void SavedWithRunSettings(DetrScoringOptions o)
            {
                o.ShortestEdge = resize.Shortest ?? saved.Model.ShortestEdge;
                o.LongestEdge = resize.Longest ?? saved.Model.LongestEdge;
                RunSettings(o);
            }
            if (saved.Model.Options.Device == device)
                detr = saved.WithOptions(SavedWithRunSettings); // over the saved model's ONNX Runtime session
            else
            {
                // The device is fixed when a session opens: a new one over the saved model's bytes.
                var options = saved.Model.Options.Clone();
                (options.ModelPath, options.ModelBytes, options.Device) = (null, saved.Model.ModelBytes, device);
                SavedWithRunSettings(options);
                detr = Fit(ml, options, warn);
            }
        }
        else
        {
            var options = new DetrScoringOptions { ModelPath = path, ShortestEdge = resize.Shortest, LongestEdge = resize.Longest, Device = device };
            RunSettings(options);
            detr = Fit(ml, options, warn);
        }
        return (ImageLoading.Before(ml, detr), detr.Model.LabelNames);
    }

    // Warnings are listened to while the session opens only: scoring warns again per skipped image, which the
    // commands report themselves.
    static DetrScoringTransformer Fit(MLContext ml, DetrScoringOptions options, Action<string>? warn)
    {
        void Forward(object? sender, LoggingEventArgs e)
        {
            if (e.Kind == ChannelMessageKind.Warning)
                warn?.Invoke(e.RawMessage);
        }
        ml.Log += Forward;
        try
        {
            return ml.Transforms.ApplyDetr(options).Fit(ImageLoading.WithImages(ml, ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>())));
        }
        finally
        {
            ml.Log -= Forward;
        }
    }

    static DetrScoringTransformer? Find(ITransformer model) => model switch
    {
        DetrScoringTransformer detr => detr,
        IEnumerable<ITransformer> chain => chain.Select(Find).LastOrDefault(t => t is not null),
        _ => null,
    };
}
